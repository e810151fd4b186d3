package io.github.prompt4j.onnx.runtime;

/** Where ONNX Runtime executes the model. */
public enum Device {
    /** CUDA when the CUDA build of ONNX Runtime is on the classpath and a GPU answers, else CPU. Never fails. */
    AUTO,
    /** The CPU execution provider. */
    CPU,
    /** The CUDA execution provider; falls back to CPU with one warning where CUDA cannot run. */
    CUDA
}
