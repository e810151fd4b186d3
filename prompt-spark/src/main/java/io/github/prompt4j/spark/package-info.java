/**
 * Classifies the rows of a Spark {@code Dataset} with a prompt: {@link io.github.prompt4j.spark.SparkPromptClassifier}
 * runs one {@code OnnxMaskedLanguageModel} per executor JVM, shared by that JVM's tasks, and classifies each
 * partition in length-sorted batches.
 *
 * <p>Public types: {@link io.github.prompt4j.spark.SparkPromptClassifier} (the transformer and its builder),
 * {@link io.github.prompt4j.spark.SparkModel} (how executors find the model), {@link io.github.prompt4j.spark.SparkPrompt}
 * (the prompt, shipped to executors), {@link io.github.prompt4j.spark.InvalidTextPolicy} and
 * {@link io.github.prompt4j.onnx.runtime.Precision}. Everything else is package-private.
 */
package io.github.prompt4j.spark;
