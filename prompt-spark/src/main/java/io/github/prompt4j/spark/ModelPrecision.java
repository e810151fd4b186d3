package io.github.prompt4j.spark;

/** The numeric precision of the model the executors run. */
public enum ModelPrecision {

    /** 32-bit float weights and activations: the exported model as is. The default. */
    FP32,

    /** 8-bit integer weights (dynamic quantisation): smaller and faster on CPUs, slightly different scores. */
    INT8
}
