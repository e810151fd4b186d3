/**
 * Exported model directories: {@link io.github.prompt4j.onnx.export.model.ModelExporter} turns a checkpoint into a
 * directory of ONNX graphs, weights and tokenizer ({@link io.github.prompt4j.onnx.export.model.ModelDirectory},
 * described by its {@link io.github.prompt4j.onnx.export.model.ModelManifest}), and
 * {@link io.github.prompt4j.onnx.export.model.ModelCache} converts pretrained models once and verifies what it serves.
 * Int8 calibration and the manifest's JSON form are package-private.
 */
package io.github.prompt4j.onnx.export.model;
