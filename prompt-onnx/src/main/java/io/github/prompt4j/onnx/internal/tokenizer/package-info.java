/**
 * Internal, no compatibility promise: writing a WordPiece {@code tokenizer.json} for a checkpoint's vocabulary, and
 * running it with DJL's HuggingFace tokenizers behind the {@code Tokenizer} contract of prompt-core.
 */
package io.github.prompt4j.onnx.internal.tokenizer;
