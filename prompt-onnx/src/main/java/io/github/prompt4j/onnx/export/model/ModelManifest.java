package io.github.prompt4j.onnx.export.model;

import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The description of an exported model directory, stored as {@code manifest.json}: what the model is, where it came
 * from and which files hold it.
 *
 * <p>Format version {@value #FORMAT_VERSION}. A directory written by another format version is refused with a message
 * that says how to re-export. Immutable.
 *
 * @param formatVersion the directory format version
 * @param name model name, e.g. {@code bert-base-uncased}
 * @param architecture architecture family, {@code bert}
 * @param config architecture sizes
 * @param specialTokens ids of [CLS], [SEP], [PAD], [MASK], [UNK]
 * @param lowerCase whether the tokenizer lower-cases and strips accents
 * @param maxSequenceLength longest sequence, special tokens included
 * @param source where the checkpoint came from
 * @param sourceChecksum checksum of the source checkpoint (see {@code Checkpoint.checksum()})
 * @param fused whether the fp32 forward graphs use ONNX Runtime's fused contrib operators (domain
 *        {@code com.microsoft}); {@code false} for a standard-operator export (debugging, other runtimes)
 * @param weights the shared external-data weights file and its index
 * @param int8Weights the quantized encoder weights (int8 kernels, per-output-channel float32 scales, smoothing
 *        factors) read by the int8 forward graphs
 * @param files every other file of the directory as written by the exporter (name to size and SHA-256), so that
 *        opening can tell a truncated or altered file; sorted by name
 */
public record ModelManifest(int formatVersion, String name, String architecture, BertConfig config,
        SpecialTokens specialTokens, boolean lowerCase, int maxSequenceLength, String source, String sourceChecksum,
        boolean fused, WeightFile weights, WeightFile int8Weights, Map<String, FileRecord> files) {

    /**
     * The format version this library writes and reads. Version 2 added the embeddings forward graph
     * ({@value #FORWARD_EMBEDS_FILE}); version 3 the fused fp32 graphs, the int8 graphs with their weights
     * ({@value #INT8_WEIGHTS_FILE}), each file's size and SHA-256 ({@link #files()}) and the manifest's own checksum;
     * version 4 a gradient graph whose last layer runs at the mask rows only (a version-3 gradient graph gives the
     * same gradients, more slowly); version 5 the prefix-tuning graphs ({@value #FORWARD_PREFIX_FILE},
     * {@value #GRADIENT_PREFIX_FILE}); version 6 gradient graphs whose gold mask may mark competitors (-1) for the
     * class cross-entropy among label words in one pass (a version-5 graph reads -1 as gold); version 7 int8 graphs
     * that quantize the feed-forward output product as well, per row (the int8 file gains its kernels and shift
     * corrections); version 8 the learned-head gradient graphs ({@value #GRADIENT_HEAD_FILE},
     * {@value #GRADIENT_HEAD_PREFIX_FILE}) for training a linear head with soft prompts or prefixes. A directory of
     * another
     * version is refused and the {@link ModelCache} re-exports it.
     */
    public static final int FORMAT_VERSION = 8;

    /** File name of the manifest in a model directory. */
    public static final String MANIFEST_FILE = "manifest.json";
    /** File name of the forward graph. */
    public static final String FORWARD_FILE = "forward.onnx";
    /** File name of the embeddings forward graph (soft prompts). */
    public static final String FORWARD_EMBEDS_FILE = "forward_embeds.onnx";
    /** File name of the gradient graph. */
    public static final String GRADIENT_FILE = "gradient.onnx";
    /** File name of the prefix-tuning forward graph (input embeddings and per-layer key/value prefixes). */
    public static final String FORWARD_PREFIX_FILE = "forward_prefix.onnx";
    /** File name of the prefix-tuning gradient graph (label loss and its gradient w.r.t. the prefixes). */
    public static final String GRADIENT_PREFIX_FILE = "gradient_prefix.onnx";
    /** File name of the learned-head gradient graph (head cross-entropy, gradient w.r.t. the input embeddings). */
    public static final String GRADIENT_HEAD_FILE = "gradient_head.onnx";
    /** File name of the learned-head prefix gradient graph (head cross-entropy, gradient w.r.t. the prefixes). */
    public static final String GRADIENT_HEAD_PREFIX_FILE = "gradient_head_prefix.onnx";
    /** File name of the HuggingFace tokenizer definition. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** File name of the shared external-data weights. */
    public static final String WEIGHTS_FILE = "weights.bin";
    /** File name of the int8 forward graph. */
    public static final String FORWARD_INT8_FILE = "forward_int8.onnx";
    /** File name of the int8 embeddings forward graph. */
    public static final String FORWARD_EMBEDS_INT8_FILE = "forward_embeds_int8.onnx";
    /** File name of the quantized encoder weights. */
    public static final String INT8_WEIGHTS_FILE = "weights_int8.bin";

    public ModelManifest {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("manifest name must not be blank");
        }
        if (!"bert".equals(architecture)) {
            throw new IllegalArgumentException("unsupported architecture '" + architecture + "'; only 'bert' is known");
        }
        if (config == null || specialTokens == null || weights == null || int8Weights == null) {
            throw new IllegalArgumentException("manifest config, specialTokens, weights and int8Weights must not be "
                    + "null");
        }
        if (maxSequenceLength <= 0 || maxSequenceLength > config.maxPositions()) {
            throw new IllegalArgumentException("maxSequenceLength " + maxSequenceLength + " must be in [1, "
                    + config.maxPositions() + "]");
        }
        source = source == null ? "" : source;
        sourceChecksum = sourceChecksum == null ? "" : sourceChecksum;
        if (files == null) {
            throw new IllegalArgumentException("manifest files must not be null");
        }
        for (String file : files.keySet()) {
            if (file == null || !file.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*") || file.equals(MANIFEST_FILE)) {
                throw new IllegalArgumentException("manifest file entry '" + file + "' is not a plain file name of "
                        + "the directory (letters, digits, '.', '_', '-'; not the manifest itself)");
            }
            if (files.get(file) == null) {
                throw new IllegalArgumentException("manifest file entry '" + file + "' has no size and checksum");
            }
        }
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /**
     * The size and content checksum of one file of an exported directory.
     *
     * @param size bytes, {@code >= 0}
     * @param sha256 lower-case hex SHA-256 of the bytes, 64 characters
     */
    public record FileRecord(long size, String sha256) {

        public FileRecord {
            if (size < 0) {
                throw new IllegalArgumentException("file size must be >= 0, got " + size);
            }
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
            }
        }
    }
}
