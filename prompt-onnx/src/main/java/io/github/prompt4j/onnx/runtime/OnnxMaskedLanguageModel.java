package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.HeadLossGradient;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.HeadTrainableModel;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixGradient;
import io.github.prompt4j.core.model.PrefixHeadGradient;
import io.github.prompt4j.core.model.PrefixTunableModel;
import io.github.prompt4j.core.model.ModelInfo;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelManifest;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import io.github.prompt4j.onnx.internal.tokenizer.DjlTokenizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BERT masked language model running on ONNX Runtime (CPU or CUDA) over an exported model directory.
 *
 * <p>Open one with {@link #open(PretrainedModels)} (converting through the {@link ModelCache} on first use),
 * {@link #open(Path)} for an exported directory, or {@link #builder()} for options (device, threads, batch limits).
 *
 * <p>Precision: {@link Builder#precision} chooses float32 or int8 forward passes ({@link Precision}); gradients are
 * float32 either way. Memory: the weights file is memory-mapped once and shared; by default each forward session
 * also keeps a prepacked copy of its matrix weights (see {@link Options#prepackWeights()}). Only the forward session is created at open; the gradient session is created on
 * the first {@link #labelLossGradients} call and the embeddings forward session (soft prompts) on the first
 * {@link #softMaskLogits} call with a soft vector, so a model used for discrete prompts only never pays for them; the
 * prefix sessions and the learned-head gradient sessions ({@link HeadTrainableModel}) are likewise created on their
 * first call.
 *
 * <p>Batching: a list is sorted by length, cut into batches of at most {@code maxBatchSize} sequences and
 * {@code maxBatchTokens} padded tokens, padded to the longest sequence of each batch, and the results are put back in
 * the caller's order. Label-word scoring ({@link #maskLogits(List, int[])}, {@link #softMaskLogits}) fetches only the
 * head's transformed state and the log-normaliser from the graph and dots the few label words' embeddings in Java.
 * Soft inputs are run through the embeddings forward graph, whose input embeddings are built in Java exactly as for
 * the gradient graph: the word-embedding row of each id, or the soft vector at its position.
 *
 * <p><b>Thread safety:</b> thread-safe; share one instance. ONNX Runtime sessions run concurrently.
 * <b>Resources:</b> owns its ONNX Runtime sessions (forward; the gradient, embeddings forward, prefix and head gradient
 * ones created on first use), the native tokenizer
 * and a memory-mapped view of the weights file; {@link #close()} frees them and waits for running calls to finish;
 * afterwards every method throws {@link IllegalStateException}.
 */
public final class OnnxMaskedLanguageModel implements PrefixTunableModel, HeadTrainableModel {

    private static final Logger log = LoggerFactory.getLogger(OnnxMaskedLanguageModel.class);

    /**
     * Most token ids scored by dot products in Java; above it the decoder's full logits are read and the ids' columns
     * kept (see {@code LabelScoringBenchmark} for the measured crossover).
     */
    static final int DOT_PRODUCT_LIMIT = 64;

    private final ModelDirectory directory;
    private final ModelManifest manifest;
    private final Options options;
    private final OrtEnvironment env;
    private final OrtSession forward;
    private final String provider;
    private final DjlTokenizer tokenizer;
    private final SharedWeights weights;
    private final MappedEmbeddingMatrix embeddings;
    private final float[] outputBias;
    private final ModelInfo info;
    private final InputPacker packer;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile OrtSession gradient;
    private volatile OrtSession forwardEmbeds;
    private volatile OrtSession forwardPrefix;
    private volatile OrtSession gradientPrefix;
    /** The learned-head gradient sessions by graph file, created on first use; guarded by {@code this}. */
    private final Map<Path, OrtSession> headSessions = new java.util.HashMap<>();
    private volatile boolean closed;

    /**
     * Run-time options.
     *
     * @param device where to run
     * @param deviceId CUDA device id
     * @param intraOpThreads ONNX Runtime intra-op threads, 0 = one per processor available to the JVM
     * @param maxBatchSize most sequences per run
     * @param maxBatchTokens most padded tokens (sequences x longest length) per run
     * @param prepackWeights {@code true}: each forward session (ids, and embeddings once soft prompts are used)
     *        loads and prepacks its own copy of its matrix weights (faster matrix products on CPU, more memory);
     *        {@code false}: every session reads one shared memory-mapped copy with ONNX Runtime's prepacking off.
     *        The gradient session always reads the shared copy. See {@link Builder#prepackWeights} for the
     *        measured trade
     * @param precision the arithmetic of forward passes (gradients are always float32)
     */
    public record Options(Device device, int deviceId, int intraOpThreads, int maxBatchSize, int maxBatchTokens,
            boolean prepackWeights, Precision precision) {

        public Options {
            if (device == null) {
                throw new IllegalArgumentException("device must not be null; use Device.AUTO");
            }
            if (precision == null) {
                throw new IllegalArgumentException("precision must not be null; use Precision.FP32 or INT8");
            }
            if (deviceId < 0 || intraOpThreads < 0 || maxBatchSize <= 0 || maxBatchTokens <= 0) {
                throw new IllegalArgumentException("deviceId and intraOpThreads must be >= 0 (0 threads = one per "
                        + "available processor) and batch limits positive: " + deviceId + ", " + intraOpThreads + ", "
                        + maxBatchSize + ", " + maxBatchTokens);
            }
        }

        /** AUTO device, default threads, 32 sequences or 8192 tokens per batch, prepacked forward weights, FP32. */
        public static Options defaults() {
            return new Options(Device.AUTO, 0, 0, 32, 8192, true, Precision.FP32);
        }

        /** These options on the CPU (sessions made after a CUDA fallback). */
        Options onCpu() {
            return new Options(Device.CPU, deviceId, intraOpThreads, maxBatchSize, maxBatchTokens, prepackWeights,
                    precision);
        }
    }

    /** Configures and opens a model. Not thread-safe. */
    public static final class Builder {
        private ModelDirectory directory;
        private PretrainedModels pretrained;
        private ModelCache cache;
        private Device device = Device.AUTO;
        private int deviceId;
        private int intraOpThreads;
        private int maxBatchSize = 32;
        private int maxBatchTokens = 8192;
        private Boolean prepackWeights;
        private Precision precision = Precision.FP32;

        private Builder() {
        }

        /** An exported model directory. */
        public Builder directory(Path path) {
            this.directory = ModelDirectory.open(path);
            this.pretrained = null;
            return this;
        }

        /** A pretrained model, converted through the cache on first use. */
        public Builder pretrained(PretrainedModels model) {
            this.pretrained = model;
            this.directory = null;
            return this;
        }

        /** The cache for pretrained models (default: {@link ModelCache#defaultCache()}). */
        public Builder cache(ModelCache cache) {
            this.cache = cache;
            return this;
        }

        /** The execution device (default {@link Device#AUTO}). */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /** The CUDA device id (default 0). */
        public Builder deviceId(int deviceId) {
            this.deviceId = deviceId;
            return this;
        }

        /**
         * ONNX Runtime intra-op threads; 0 (default) = one per processor available to the JVM
         * ({@link Runtime#availableProcessors()}). Set it explicitly when several models or Spark tasks share the
         * cores.
         */
        public Builder intraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /** Most sequences per run (default 32). */
        public Builder maxBatchSize(int sequences) {
            this.maxBatchSize = sequences;
            return this;
        }

        /** Most padded tokens (sequences x longest length) per run (default 8192). */
        public Builder maxBatchTokens(int tokens) {
            this.maxBatchTokens = tokens;
            return this;
        }

        /**
         * Whether the forward sessions keep their own prepacked copy of the weights (see {@link Options}); default
         * on. Measured on 2 AMD EPYC cores, BERT-base, batch 32 x 64 tokens (README performance table): prepacking
         * makes fp32 forward passes markedly faster and int8 ones faster still, for a larger resident set (one
         * prepacked copy per forward session beside the shared mapping). Turn it off where memory matters more
         * than speed, e.g. many models in one JVM.
         */
        public Builder prepackWeights(boolean prepack) {
            this.prepackWeights = prepack;
            return this;
        }

        /**
         * The arithmetic of forward passes (default {@link Precision#FP32}); gradient passes are float32 either way,
         * so a search can score candidates in int8 and take gradients in float32 with one model.
         */
        public Builder precision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /**
         * Opens the model.
         *
         * @throws IllegalStateException if neither a directory nor a pretrained model was given
         * @throws ModelLoadException naming the file when the directory is incomplete or of another format version
         */
        public OnnxMaskedLanguageModel build() {
            boolean prepack = prepackWeights == null || prepackWeights;
            Options options = new Options(device, deviceId, intraOpThreads, maxBatchSize, maxBatchTokens, prepack,
                    precision);
            ModelDirectory dir = directory;
            if (dir == null) {
                if (pretrained == null) {
                    throw new IllegalStateException("say which model to open: builder().pretrained(...) or "
                            + "builder().directory(path)");
                }
                dir = (cache != null ? cache : ModelCache.defaultCache()).get(pretrained);
            }
            return new OnnxMaskedLanguageModel(dir, options);
        }
    }

    /** A builder with default options. */
    public static Builder builder() {
        return new Builder();
    }

    /** Opens an exported model directory with default options. */
    public static OnnxMaskedLanguageModel open(Path exportedDirectory) {
        return builder().directory(exportedDirectory).build();
    }

    /** Opens a pretrained model with default options, converting it into the default cache on first use. */
    public static OnnxMaskedLanguageModel open(PretrainedModels model) {
        return builder().pretrained(model).build();
    }

    private OnnxMaskedLanguageModel(ModelDirectory directory, Options options) {
        this.directory = directory;
        this.manifest = directory.manifest();
        this.options = options;
        this.env = OrtEnvironment.getEnvironment();
        BertConfig config = manifest.config();
        this.info = new ModelInfo(manifest.name(), config.vocabSize(), config.hiddenSize(),
                manifest.maxSequenceLength());
        DjlTokenizer tok = null;
        SharedWeights shared = null;
        OrtSession fwd = null;
        try {
            tok = DjlTokenizer.load(directory.tokenizerJson(),
                    manifest.maxSequenceLength(), manifest.lowerCase());
            Map<Path, WeightFile> files = new java.util.LinkedHashMap<>();
            files.put(directory.weightsFile(), manifest.weights());
            if (options.precision() == Precision.INT8) {
                files.put(directory.int8WeightsFile(), manifest.int8Weights());
            }
            shared = SharedWeights.map(env, files);
            this.embeddings = new MappedEmbeddingMatrix(shared.buffer(BertParameters.WORD_EMBEDDINGS),
                    config.vocabSize(), config.hiddenSize());
            this.outputBias = new float[config.vocabSize()];
            shared.buffer(BertParameters.HEAD_OUTPUT_BIAS).get(outputBias);
            SessionFactory.Created created = SessionFactory.create(env, forwardGraph(false), options, shared,
                    options.prepackWeights(), true);
            fwd = created.session();
            this.provider = created.provider();
            if (options.device() == Device.CUDA && !created.fallback().isEmpty()) {
                log.warn("device CUDA was requested for {} but {}; running on CPU", manifest.name(),
                        created.fallback());
            }
        } catch (RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            if (shared != null) {
                shared.close();
            }
            throw e;
        }
        this.weights = shared;
        this.tokenizer = tok;
        this.forward = fwd;
        this.packer = new InputPacker(env, manifest.specialTokens().pad(), config.hiddenSize());
        log.info("opened {} from {} on {} ({})", manifest.name(), directory.path(), provider, options.precision());
    }

    /** The forward graph of this model's precision, on token ids or (soft prompts) on input embeddings. */
    private Path forwardGraph(boolean embeds) {
        if (options.precision() == Precision.INT8) {
            return embeds ? directory.forwardEmbedsInt8Graph() : directory.forwardInt8Graph();
        }
        return embeds ? directory.forwardEmbedsGraph() : directory.forwardGraph();
    }

    /** The exported directory this model runs. */
    public ModelDirectory directory() {
        return directory;
    }

    /** The execution provider in use, {@code CUDA} or {@code CPU}. */
    public String provider() {
        return provider;
    }

    /** The options it was opened with. */
    public Options options() {
        return options;
    }

    @Override
    public Tokenizer tokenizer() {
        ensureOpen();
        return tokenizer;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
        int v = info.vocabularySize();
        int[] all = new int[v];
        Arrays.setAll(all, i -> i);
        ForwardResult r = runForward(prompts, null, Set.of(Outputs.LOGITS, Outputs.LOG_NORMALIZER), v, null);
        return new MaskLogits(all, new MaskVectors(v, r.maskCounts, r.vectors), r.logNormalizers);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Up to {@value #DOT_PRODUCT_LIMIT} ids are scored by dot products with the head's transformed state; more
     * ids (LAMA's common vocabulary, whole-vocabulary candidate scoring) take their columns from the graph's own
     * decoder output, which the log-normaliser computes anyway, so scoring cost no longer grows with the ids.
     */
    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
        checkTokenIds(tokenIds);
        return scored(prompts, null, tokenIds);
    }

    /** Label-word logits for the given ids: dot products for few ids, decoder columns for many. */
    private MaskLogits scored(List<EncodedPrompt> prompts, List<Map<Integer, float[]>> soft, int[] tokenIds) {
        return scored(prompts, soft, tokenIds, null);
    }

    private MaskLogits scored(List<EncodedPrompt> prompts, List<Map<Integer, float[]>> soft, int[] tokenIds,
            Prefix prefix) {
        if (tokenIds.length > DOT_PRODUCT_LIMIT) {
            ForwardResult r = runForward(prompts, soft, Set.of(Outputs.LOGITS, Outputs.LOG_NORMALIZER),
                    tokenIds.length, tokenIds, prefix);
            return new MaskLogits(tokenIds, new MaskVectors(tokenIds.length, r.maskCounts, r.vectors),
                    r.logNormalizers);
        }
        return labelLogits(runForward(prompts, soft, Set.of(Outputs.TRANSFORMED, Outputs.LOG_NORMALIZER),
                info.hiddenSize(), null, prefix), tokenIds);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A call whose inputs carry no soft vector at all runs the ordinary forward graph; otherwise the whole call
     * runs the embeddings forward graph (its session is created on the first such call).
     */
    @Override
    public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
        checkTokenIds(tokenIds);
        InputChecks.requireElements(inputs, "inputs");
        List<EncodedPrompt> prompts = new ArrayList<>(inputs.size());
        List<Map<Integer, float[]>> soft = new ArrayList<>(inputs.size());
        boolean any = false;
        int h = info.hiddenSize();
        for (SoftInput in : inputs) {
            prompts.add(in.prompt());
            soft.add(in.softVectors());
            for (Map.Entry<Integer, float[]> e : in.softVectors().entrySet()) {
                checkSoftVector(e.getKey(), e.getValue());
                any = true;
            }
        }
        return scored(prompts, any ? soft : null, tokenIds);
    }

    private void checkTokenIds(int[] tokenIds) {
        int v = info.vocabularySize();
        if (tokenIds == null || tokenIds.length == 0) {
            throw new IllegalArgumentException("no token ids to score; pass at least one id, or call "
                    + "maskLogits(prompts) for the whole vocabulary");
        }
        for (int id : tokenIds) {
            if (id < 0 || id >= v) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + v + ")");
            }
        }
    }

    private void checkSoftVector(int position, float[] vector) {
        if (vector.length != info.hiddenSize()) {
            throw new IllegalArgumentException("soft vector at position " + position + " has length " + vector.length
                    + " but the model's hidden size is " + info.hiddenSize());
        }
    }

    /** Label-word logits from the head's transformed states: {@code E[id] . t + b[id]}, dotted in Java. */
    private MaskLogits labelLogits(ForwardResult r, int[] tokenIds) {
        int h = info.hiddenSize();
        int rows = r.logNormalizers.length;
        float[] logits = new float[rows * tokenIds.length];
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < tokenIds.length; j++) {
                    logits[row * tokenIds.length + j] = embeddings.dot(tokenIds[j], r.vectors, row * h)
                            + outputBias[tokenIds[j]];
                }
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        return new MaskLogits(tokenIds, new MaskVectors(tokenIds.length, r.maskCounts, logits), r.logNormalizers);
    }

    @Override
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        ForwardResult r = runForward(prompts, null, Set.of(Outputs.TRANSFORMED), info.hiddenSize(), null);
        return new MaskVectors(info.hiddenSize(), r.maskCounts, r.vectors);
    }

    /**
     * The final encoder layer's output at every mask, before the MLM head's transform (what a reference BERT calls
     * the sequence output). Width = hidden size.
     */
    public MaskVectors maskEncoderStates(List<EncodedPrompt> prompts) {
        ForwardResult r = runForward(prompts, null, Set.of(Outputs.HIDDEN), info.hiddenSize(), null);
        return new MaskVectors(info.hiddenSize(), r.maskCounts, r.vectors);
    }

    @Override
    public EmbeddingMatrix inputEmbeddings() {
        ensureOpen();
        return embeddings;
    }

    @Override
    public EmbeddingMatrix outputEmbeddings() {
        ensureOpen();
        return embeddings;
    }

    @Override
    public float[] outputBias() {
        ensureOpen();
        return outputBias.clone();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // prefix-tuning

    @Override
    public int layerCount() {
        return manifest.config().numLayers();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs the float32 prefix forward graph whatever {@link Precision} the model has (the prefix graphs have no int8
     * variant); its session (and its prepacked weights, with {@link Options#prepackWeights()}) is created on the first
     * prefix call.
     */
    @Override
    public MaskLogits prefixMaskLogits(List<SoftInput> inputs, Prefix prefix, int[] tokenIds) {
        checkPrefix(prefix);
        checkTokenIds(tokenIds);
        InputChecks.requireElements(inputs, "inputs");
        return scored(promptsOf(inputs), softOf(inputs), tokenIds, prefix);
    }

    @Override
    public MaskVectors prefixMaskHiddenStates(List<SoftInput> inputs, Prefix prefix) {
        checkPrefix(prefix);
        InputChecks.requireElements(inputs, "inputs");
        ForwardResult r = runForward(promptsOf(inputs), softOf(inputs), Set.of(Outputs.TRANSFORMED),
                info.hiddenSize(), null, prefix);
        return new MaskVectors(info.hiddenSize(), r.maskCounts, r.vectors);
    }

    @Override
    public PrefixGradient prefixLabelLossGradient(List<GradientRequest> requests, Prefix prefix) {
        return prefixGradient(requests, prefix, new int[0]);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One pass of the prefix gradient graph, as {@link #prefixLabelLossGradient}: the competitors enter the gold
     * mask as -1 entries.
     */
    @Override
    public PrefixGradient prefixClassLossGradient(List<GradientRequest> requests, Prefix prefix,
            int[] labelTokenIds) {
        if (labelTokenIds == null || labelTokenIds.length == 0) {
            throw new IllegalArgumentException("labelTokenIds must name every class's label words; for the label "
                    + "likelihood call prefixLabelLossGradient");
        }
        checkTokenIds(labelTokenIds);
        for (int i = 0; i < requests.size(); i++) {
            for (int gold : requests.get(i).goldTokenIds()) {
                if (java.util.Arrays.stream(labelTokenIds).noneMatch(id -> id == gold)) {
                    throw new IllegalArgumentException("gold id " + gold + " of request " + i + " is not among the "
                            + "labelTokenIds " + java.util.Arrays.toString(labelTokenIds) + "; pass every class's "
                            + "label words");
                }
            }
        }
        return prefixGradient(requests, prefix, labelTokenIds.clone());
    }

    private PrefixGradient prefixGradient(List<GradientRequest> requests, Prefix prefix, int[] competitors) {
        checkPrefix(prefix);
        InputChecks.requireElements(requests, "requests");
        int n = prefix.layers() * prefix.length() * prefix.hidden();
        float[] keys = new float[n];
        float[] values = new float[n];
        float[] losses = new float[requests.size()];
        if (requests.isEmpty()) {
            ensureOpen();
            return new PrefixGradient(losses, keys, values);
        }
        for (int[] batch : batches(requests.stream().map(GradientRequest::prompt).toList())) {
            for (int i : batch) {
                checkLength(requests.get(i).prompt());
            }
            lifecycle.readLock().lock();
            try {
                ensureOpen();
                packer.gradient(gradientPrefixSession(), directory.gradientPrefixGraph().toString(), requests, batch,
                        this::fillEmbeddings, prefix, competitors, info.vocabularySize(), result -> {
                            FloatBuffer loss = floats(result, "loss");
                            for (int r = 0; r < batch.length; r++) {
                                losses[batch[r]] = loss.get(r);
                            }
                            addPrefixGradient(result, keys, values);
                            return null;
                        });
            } finally {
                lifecycle.readLock().unlock();
            }
        }
        return new PrefixGradient(losses, keys, values);
    }

    /** Adds a batch's prefix gradient outputs to the running sums. */
    private static void addPrefixGradient(OrtSession.Result result, float[] keys, float[] values) {
        FloatBuffer gk = floats(result, "prefix_keys_grad");
        FloatBuffer gv = floats(result, "prefix_values_grad");
        for (int j = 0; j < keys.length; j++) {
            keys[j] += gk.get(j);
            values[j] += gv.get(j);
        }
    }

    private void checkPrefix(Prefix prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null; use zeroPrefix(length) for a neutral one");
        }
        if (prefix.layers() != layerCount() || prefix.hidden() != info.hiddenSize()) {
            throw new IllegalArgumentException("a prefix of " + prefix.layers() + " layers x " + prefix.hidden()
                    + " hidden does not fit model " + manifest.name() + ", which needs " + layerCount()
                    + " layers x " + info.hiddenSize() + " hidden; build it with zeroPrefix(length)");
        }
        if (prefix.length() < 1) {
            throw new IllegalArgumentException("a prefix needs at least one position; without one, call "
                    + "softMaskLogits or maskLogits");
        }
    }

    private List<EncodedPrompt> promptsOf(List<SoftInput> inputs) {
        List<EncodedPrompt> prompts = new ArrayList<>(inputs.size());
        for (SoftInput in : inputs) {
            prompts.add(in.prompt());
            in.softVectors().forEach(this::checkSoftVector);
        }
        return prompts;
    }

    private static List<Map<Integer, float[]>> softOf(List<SoftInput> inputs) {
        return inputs.stream().map(SoftInput::softVectors).toList();
    }

    // learned head (HeadTrainableModel)

    /**
     * {@inheritDoc}
     *
     * <p>Runs the embeddings forward graph (its session created on first use).
     */
    @Override
    public MaskVectors softMaskHiddenStates(List<SoftInput> inputs) {
        InputChecks.requireElements(inputs, "inputs");
        ForwardResult r = runForward(promptsOf(inputs), softOf(inputs), Set.of(Outputs.TRANSFORMED),
                info.hiddenSize(), null);
        return new MaskVectors(info.hiddenSize(), r.maskCounts, r.vectors);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One pass of the learned-head gradient graph per batch (session created on the first call).
     */
    @Override
    public List<HeadLossGradient> headLossGradients(List<HeadLossRequest> requests, LinearHead head) {
        checkHead(requests, head);
        int h = info.hiddenSize();
        HeadLossGradient[] out = new HeadLossGradient[requests.size()];
        headPasses(requests, head, null, directory.gradientHeadGraph(), (batch, result) -> {
            FloatBuffer loss = floats(result, "loss");
            FloatBuffer state = floats(result, "head_state");
            FloatBuffer grad = floats(result, "inputs_embeds_grad");
            int t = (int) (grad.capacity() / ((long) batch.length * h));
            for (int r = 0; r < batch.length; r++) {
                int[] positions = requests.get(batch[r]).gradientPositions();
                float[] rows = new float[positions.length * h];
                for (int k = 0; k < positions.length; k++) {
                    grad.get((r * t + positions[k]) * h, rows, k * h, h);
                }
                float[] t0 = new float[h];
                state.get(r * h, t0, 0, h);
                out[batch[r]] = new HeadLossGradient(t0, new LabelLossGradient(loss.get(r), positions, rows, h));
            }
        });
        return List.of(out);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One pass of the learned-head prefix gradient graph per batch (session created on the first call).
     */
    @Override
    public PrefixHeadGradient prefixHeadLossGradient(List<HeadLossRequest> requests, LinearHead head,
            Prefix prefix) {
        checkPrefix(prefix);
        checkHead(requests, head);
        int h = info.hiddenSize();
        int n = prefix.layers() * prefix.length() * prefix.hidden();
        float[] keys = new float[n];
        float[] values = new float[n];
        float[] losses = new float[requests.size()];
        float[] states = new float[requests.size() * h];
        headPasses(requests, head, prefix, directory.gradientHeadPrefixGraph(), (batch, result) -> {
            FloatBuffer loss = floats(result, "loss");
            FloatBuffer state = floats(result, "head_state");
            for (int r = 0; r < batch.length; r++) {
                losses[batch[r]] = loss.get(r);
                state.get(r * h, states, batch[r] * h, h);
            }
            addPrefixGradient(result, keys, values);
        });
        return new PrefixHeadGradient(losses, states, h, new PrefixGradient(losses, keys, values));
    }

    private void checkHead(List<HeadLossRequest> requests, LinearHead head) {
        InputChecks.requireElements(requests, "requests");
        if (head == null) {
            throw new IllegalArgumentException("head must not be null");
        }
        if (head.hidden() != info.hiddenSize()) {
            throw new IllegalArgumentException("a head over states of size " + head.hidden() + " does not fit model "
                    + manifest.name() + ", whose hidden size is " + info.hiddenSize());
        }
        ensureOpen();
    }

    /** Runs a head gradient graph batch by batch; {@code read} gets each batch's indices and result. */
    private void headPasses(List<HeadLossRequest> requests, LinearHead head, Prefix prefix, Path graph,
            java.util.function.BiConsumer<int[], OrtSession.Result> read) {
        if (requests.isEmpty()) {
            return;
        }
        for (int[] batch : batches(requests.stream().map(HeadLossRequest::prompt).toList())) {
            for (int i : batch) {
                checkLength(requests.get(i).prompt());
            }
            lifecycle.readLock().lock();
            try {
                ensureOpen();
                packer.headGradient(headSession(graph), graph.toString(), requests, batch, this::fillEmbeddings, head,
                        prefix, result -> {
                            read.accept(batch, result);
                            return null;
                        });
            } finally {
                lifecycle.readLock().unlock();
            }
        }
    }

    private synchronized OrtSession headSession(Path graph) {
        return headSessions.computeIfAbsent(graph, g -> {
            log.debug("opened the head gradient session {} of {} (first call)", g.getFileName(), manifest.name());
            return sameDeviceSession(g, false, false);
        });
    }

    @Override
    public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
        InputChecks.requireElements(requests, "requests");
        if (requests.isEmpty()) {
            ensureOpen();
            return List.of();
        }
        LabelLossGradient[] out = new LabelLossGradient[requests.size()];
        for (int[] batch : batches(requests.stream().map(GradientRequest::prompt).toList())) {
            List<LabelLossGradient> part = runGradient(requests, batch);
            for (int i = 0; i < batch.length; i++) {
                out[batch[i]] = part.get(i);
            }
        }
        return List.of(out);
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(forward);
            closeQuietly(gradient);
            closeQuietly(forwardEmbeds);
            closeQuietly(forwardPrefix);
            closeQuietly(gradientPrefix);
            synchronized (this) {
                headSessions.values().forEach(OnnxMaskedLanguageModel::closeQuietly);
                headSessions.clear();
            }
            weights.close();
            tokenizer.close();
            log.debug("closed {}", manifest.name());
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("closing an ONNX Runtime session failed: {}", e.getMessage());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model " + manifest.name() + " is closed; open a new "
                    + "OnnxMaskedLanguageModel to use it again");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // forward

    private enum Outputs {
        LOGITS("mask_logits"), LOG_NORMALIZER("mask_log_normalizer"), HIDDEN("mask_hidden"),
        TRANSFORMED("mask_transformed");

        final String graphName;

        Outputs(String graphName) {
            this.graphName = graphName;
        }
    }

    /** Per-mask rows in the caller's prompt order: vectors [rows, width], normalisers [rows]. */
    private record ForwardResult(int[] maskCounts, float[] vectors, float[] logNormalizers) {
    }

    /**
     * Runs the forward graph on token ids, or, when {@code soft} is not null, the embeddings forward graph on input
     * embeddings with {@code soft.get(i)} (position to vector, lengths checked) replacing rows of prompt i. With
     * {@code columns}, the vector output is the logits and only those vocabulary columns are kept.
     */
    private ForwardResult runForward(List<EncodedPrompt> prompts, List<Map<Integer, float[]>> soft,
            Set<Outputs> wanted, int width, int[] columns) {
        return runForward(prompts, soft, wanted, width, columns, null);
    }

    /** As above; with a prefix, the prefix forward graph on input embeddings ({@code soft} may be null). */
    private ForwardResult runForward(List<EncodedPrompt> prompts, List<Map<Integer, float[]>> givenSoft,
            Set<Outputs> wanted, int width, int[] columns, Prefix prefix) {
        InputChecks.requireElements(prompts, "prompts");
        List<Map<Integer, float[]>> soft = prefix != null && givenSoft == null
                ? java.util.Collections.nCopies(prompts.size(), Map.of()) : givenSoft;
        int n = prompts.size();
        int[] maskCounts = new int[n];
        int[] firstRow = new int[n + 1];
        for (int i = 0; i < n; i++) {
            EncodedPrompt p = prompts.get(i);
            checkLength(p);
            maskCounts[i] = p.maskCount();
            firstRow[i + 1] = firstRow[i] + maskCounts[i];
        }
        int rows = firstRow[n];
        float[] vectors = new float[rows * width];
        float[] norms = new float[rows];
        if (n == 0) {
            ensureOpen();
            return new ForwardResult(maskCounts, vectors, norms);
        }
        Outputs vectorOutput = wanted.contains(Outputs.LOGITS) ? Outputs.LOGITS
                : wanted.contains(Outputs.TRANSFORMED) ? Outputs.TRANSFORMED
                : wanted.contains(Outputs.HIDDEN) ? Outputs.HIDDEN : null;
        Set<String> names = new java.util.LinkedHashSet<>();
        for (Outputs o : wanted) {
            names.add(o.graphName);
        }
        int full = vectorOutput == Outputs.LOGITS ? info.vocabularySize() : info.hiddenSize();
        for (int[] batch : batches(prompts)) {
            int m = 0;
            for (int i : batch) {
                m = Math.max(m, prompts.get(i).maskCount());
            }
            int masks = m;
            lifecycle.readLock().lock();
            try {
                ensureOpen();
                OrtSession session = prefix != null ? forwardPrefixSession()
                        : soft == null ? forward : forwardEmbedsSession();
                String graph = (prefix != null ? directory.forwardPrefixGraph() : forwardGraph(soft != null))
                        .toString();
                packer.forward(session, graph, prompts, batch, soft, this::fillEmbeddings, prefix, names, result -> {
                            FloatBuffer vec = vectorOutput == null ? null : floats(result, vectorOutput.graphName);
                            FloatBuffer norm = wanted.contains(Outputs.LOG_NORMALIZER)
                                    ? floats(result, Outputs.LOG_NORMALIZER.graphName) : null;
                            float[] scratch = columns == null ? null : new float[full];
                            for (int r = 0; r < batch.length; r++) {
                                int i = batch[r];
                                for (int k = 0; k < maskCounts[i]; k++) {
                                    int row = firstRow[i] + k;
                                    if (vec != null && columns == null) {
                                        vec.get((r * masks + k) * full, vectors, row * width, width);
                                    } else if (vec != null) {
                                        vec.get((r * masks + k) * full, scratch, 0, full);
                                        int base = row * width;
                                        for (int j = 0; j < columns.length; j++) {
                                            vectors[base + j] = scratch[columns[j]];
                                        }
                                    }
                                    if (norm != null) {
                                        norms[row] = norm.get(r * masks + k);
                                    }
                                }
                            }
                            return null;
                        });
            } finally {
                lifecycle.readLock().unlock();
            }
        }
        return new ForwardResult(maskCounts, vectors, norms);
    }

    private static FloatBuffer floats(OrtSession.Result result, String name) {
        return ((OnnxTensor) result.get(name).orElseThrow(() -> new IllegalStateException(
                "graph output " + name + " missing"))).getFloatBuffer();
    }

    private void checkLength(EncodedPrompt p) {
        InputChecks.checkTokens(p, info.vocabularySize(), manifest.config().typeVocabSize(), manifest.name());
        if (p.length() > manifest.maxSequenceLength()) {
            throw new IllegalArgumentException("encoded prompt has " + p.length() + " tokens but "
                    + manifest.name() + " accepts at most " + manifest.maxSequenceLength()
                    + "; truncate the input fields (Template truncation does this)");
        }
    }

    /** Indices into {@code prompts}, sorted by length and cut by the batch limits. */
    private List<int[]> batches(List<EncodedPrompt> prompts) {
        Integer[] order = new Integer[prompts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> prompts.get(i).length()));
        List<int[]> out = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int longest = 0;
        for (int i : order) {
            int len = prompts.get(i).length();
            int newLongest = Math.max(longest, len);
            if (!current.isEmpty() && (current.size() + 1 > options.maxBatchSize()
                    || (long) newLongest * (current.size() + 1) > options.maxBatchTokens())) {
                out.add(current.stream().mapToInt(Integer::intValue).toArray());
                current = new ArrayList<>();
                newLongest = len;
            }
            current.add(i);
            longest = newLongest;
        }
        if (!current.isEmpty()) {
            out.add(current.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // gradient

    private OrtSession gradientSession() {
        OrtSession s = gradient;
        if (s == null) {
            synchronized (this) {
                s = gradient;
                if (s == null) {
                    s = sameDeviceSession(directory.gradientGraph(), false, false);
                    gradient = s;
                }
            }
        }
        return s;
    }

    private OrtSession forwardPrefixSession() {
        OrtSession s = forwardPrefix;
        if (s == null) {
            synchronized (this) {
                s = forwardPrefix;
                if (s == null) {
                    // float32 whatever the precision: the prefix graphs have no int8 variant
                    s = sameDeviceSession(directory.forwardPrefixGraph(), options.prepackWeights(), true);
                    forwardPrefix = s;
                    log.debug("opened the prefix forward session of {} (first prefix call)", manifest.name());
                }
            }
        }
        return s;
    }

    private OrtSession gradientPrefixSession() {
        OrtSession s = gradientPrefix;
        if (s == null) {
            synchronized (this) {
                s = gradientPrefix;
                if (s == null) {
                    s = sameDeviceSession(directory.gradientPrefixGraph(), false, false);
                    gradientPrefix = s;
                }
            }
        }
        return s;
    }

    private OrtSession forwardEmbedsSession() {
        OrtSession s = forwardEmbeds;
        if (s == null) {
            synchronized (this) {
                s = forwardEmbeds;
                if (s == null) {
                    s = sameDeviceSession(forwardGraph(true), options.prepackWeights(), true);
                    forwardEmbeds = s;
                    log.debug("opened the embeddings forward session of {} (first soft-prompt call)", manifest.name());
                }
            }
        }
        return s;
    }

    /** A session over the shared weights on the forward session's device; a CUDA fallback was reported already. */
    private OrtSession sameDeviceSession(Path graph, boolean prepack, boolean memoryPattern) {
        Options same = "CPU".equals(provider) ? options.onCpu() : options;
        return SessionFactory.create(env, graph, same, weights, prepack, memoryPattern).session();
    }

    /**
     * Writes the input embeddings of one prompt, padded to {@code t} positions, into {@code dst} from {@code offset}
     * ({@code t * hidden} floats): the soft vector where there is one, else the word-embedding row of the id (of
     * [PAD] past the end). Position and token-type embeddings are added by the graph.
     */
    private void fillEmbeddings(EncodedPrompt p, Map<Integer, float[]> soft, int t, FloatBuffer dst, int offset) {
        int h = info.hiddenSize();
        int[] pi = p.ids();
        int pad = manifest.specialTokens().pad();
        float[] row = new float[h];
        for (int j = 0; j < t; j++) {
            float[] v = j < pi.length ? soft.get(j) : null;
            if (v != null) {
                checkSoftVector(j, v);
                dst.put(offset + j * h, v);
            } else {
                embeddings.copyRow(j < pi.length ? pi[j] : pad, row, 0);
                dst.put(offset + j * h, row);
            }
        }
    }

    private List<LabelLossGradient> runGradient(List<GradientRequest> requests, int[] batch) {
        int h = info.hiddenSize();
        for (int i : batch) {
            checkLength(requests.get(i).prompt());
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            OrtSession session = gradientSession();
            return packer.gradient(session, directory.gradientGraph().toString(), requests, batch,
                    this::fillEmbeddings, info.vocabularySize(), result -> {
                        FloatBuffer loss = floats(result, "loss");
                        FloatBuffer grad = floats(result, "inputs_embeds_grad");
                        int t = (int) (grad.capacity() / ((long) batch.length * h));
                        List<LabelLossGradient> out = new ArrayList<>(batch.length);
                        for (int r = 0; r < batch.length; r++) {
                            int[] positions = requests.get(batch[r]).gradientPositions();
                            float[] rows = new float[positions.length * h];
                            for (int k = 0; k < positions.length; k++) {
                                grad.get((r * t + positions[k]) * h, rows, k * h, h);
                            }
                            out.add(new LabelLossGradient(loss.get(r), positions, rows, h));
                        }
                        return out;
                    });
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Input buffer sets waiting in the pool (tests: steady single-threaded calls reuse one). */
    int pooledInputBuffers() {
        return packer.pooledSets();
    }

    static boolean cudaAvailable() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }
}
