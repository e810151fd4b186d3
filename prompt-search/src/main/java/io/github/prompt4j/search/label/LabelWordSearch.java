package io.github.prompt4j.search.label;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.internal.TopK;
import io.github.prompt4j.search.vocab.VocabularyFilter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AutoPrompt's automatic label-word selection (Shin et al. 2020, section 2.3): collect the MLM head's hidden state
 * {@code h} at the mask for every training prompt, fit a multinomial logistic regression {@code p(y | h)} with an L2
 * penalty, then score every vocabulary word w for class y by applying the classifier's weights to the word's output
 * embedding, {@code s_y(w) = w_y . e_w} (optionally {@code + b_w}, the MLM output bias), since the model's logit for
 * w is {@code e_w . h + b_w}. The top words per class are kept, the same number for every class.
 *
 * <p>A word is given to class y only when y is its highest-scoring class, only when the tokenizer encodes the word
 * back to that single token (so it works in a {@link io.github.prompt4j.core.verbalizer.Verbalizer}), and at most
 * once ignoring case. The classifier's own bias is constant per class and does not change a class's ranking, so it is
 * not part of the score.
 *
 * <p><b>Candidate pool.</b> Scoring the whole vocabulary (the paper) favours rare tokens whose embeddings happen to
 * point along the classifier's weights but which the model almost never predicts at the mask, so their summed
 * probability carries little signal (bert-base-cased, {@code "{sentence} this movie was [MASK] ."}, 1000 SST-2
 * training sentences: bony/skeleton/disability vs Advance/Andrei/airborne, 51.3% dev accuracy). By default only the
 * {@link Builder#candidatePool(int) 200} allowed words with the highest mean log-probability at the mask over (up to
 * 256 of) the training prompts compete (missing/ridiculous/ruined vs directed/praised/well, 67.0%);
 * {@code candidatePool(0)} scores the whole vocabulary as the paper does.
 *
 * <p>Configured instances are immutable and thread-safe; the model is shared, not owned.
 *
 * <p>Precision: the mask states it fits on are forward passes at the model's precision (with prompt-onnx,
 * {@code OnnxMaskedLanguageModel.builder().precision(...)}; {@code --precision} of {@code Eval label-search}).
 */
public final class LabelWordSearch {

    private static final Logger log = LoggerFactory.getLogger(LabelWordSearch.class);
    /** Training prompts the candidate pool is estimated on. */
    static final int POOL_SAMPLE = 256;

    private final MaskedLanguageModel model;
    private final Template template;
    private final List<Example> train;
    private final List<String> classes;
    private final int wordsPerClass;
    private final double l2;
    private final boolean withOutputBias;
    private final VocabularyFilter filter;
    private final int batchSize;
    private final int maxLength;
    private final int maxIterations;
    private final int candidatePool;

    private LabelWordSearch(Builder b, List<String> classes) {
        this.model = b.model;
        this.template = b.template;
        this.train = b.train;
        this.classes = classes;
        this.wordsPerClass = b.wordsPerClass;
        this.l2 = b.l2;
        this.withOutputBias = b.withOutputBias;
        this.filter = b.filter;
        this.batchSize = b.batchSize;
        this.maxLength = b.maxLength;
        this.maxIterations = b.maxIterations;
        this.candidatePool = b.candidatePool;
    }

    /** A builder for a search over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /** Runs the model over the training prompts, fits the classifier and ranks the vocabulary. */
    public LabelWordSearchResult run() {
        Tokenizer tokenizer = model.tokenizer();
        TemplateEncoder encoder = template.encoder(tokenizer,
                Truncation.of(Math.min(maxLength, tokenizer.maxSequenceLength()), TruncationSide.TAIL));
        int dim = model.info().hiddenSize();
        double[][] x = new double[train.size()][dim];
        int[] y = new int[train.size()];
        float[] row = new float[dim];
        for (int from = 0; from < train.size(); from += batchSize) {
            List<Example> chunk = train.subList(from, Math.min(train.size(), from + batchSize));
            List<EncodedPrompt> prompts = new ArrayList<>(chunk.size());
            for (Example e : chunk) {
                prompts.add(encoder.encode(e.valuesFor(template)));
            }
            MaskVectors h = model.maskHiddenStates(prompts);
            for (int p = 0; p < chunk.size(); p++) {
                h.copyVector(p, 0, row, 0);
                for (int j = 0; j < dim; j++) {
                    x[from + p][j] = row[j];
                }
                y[from + p] = classes.indexOf(chunk.get(p).label());
            }
        }
        LogisticRegression.Fit fit = LogisticRegression.fit(x, y, classes.size(), l2, maxIterations, 1e-6);
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            correct += fit.predict(x[i]) == y[i] ? 1 : 0;
        }
        double accuracy = (double) correct / x.length;
        log.info("label-word classifier: {} examples, train accuracy {}, {} L-BFGS iterations", x.length,
                String.format("%.4f", accuracy), fit.iterations());
        double[][] scores = wordScores(fit.weights());
        boolean[] allowed = filter.allowed(tokenizer, Set.of());
        if (candidatePool > 0) {
            allowed = plausible(x, allowed);
        }
        Map<String, List<ScoredWord>> words = select(scores, allowed, tokenizer);
        return new LabelWordSearchResult(model.info().name(), template.text(), words, accuracy, l2, withOutputBias,
                fit.iterations(), train.size(), candidatePool);
    }

    /** {@code s_c(w) = w_c . e_w (+ b_w)} for every class and word: {@code [classes][V]}. */
    double[][] wordScores(double[][] weights) {
        EmbeddingMatrix e = model.outputEmbeddings();
        float[] bias = withOutputBias ? model.outputBias() : null;
        int dim = e.dim();
        FloatBuffer buffer = e.asReadOnlyBuffer();
        float[] row = new float[dim];
        double[][] out = new double[weights.length][e.rows()];
        for (int w = 0; w < e.rows(); w++) {
            buffer.get(w * dim, row);
            for (int c = 0; c < weights.length; c++) {
                double s = bias == null ? 0 : bias[w];
                for (int j = 0; j < dim; j++) {
                    s += weights[c][j] * row[j];
                }
                out[c][w] = s;
            }
        }
        return out;
    }

    /**
     * The allowed words among the {@code candidatePool} with the highest mean log-probability at the mask over the
     * first (up to {@value #POOL_SAMPLE}) training prompts: {@code log p(w | x) = e_w . h + b_w - logsumexp}.
     */
    boolean[] plausible(double[][] hidden, boolean[] allowed) {
        EmbeddingMatrix e = model.outputEmbeddings();
        float[] bias = model.outputBias();
        int v = e.rows();
        int dim = e.dim();
        int n = Math.min(hidden.length, POOL_SAMPLE);
        float[][] h = new float[n][dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                h[i][j] = (float) hidden[i][j];
            }
        }
        // logits[i][w] for the sample, one vocabulary row at a time (the matrix may be memory-mapped).
        double[][] logits = new double[n][v];
        FloatBuffer buffer = e.asReadOnlyBuffer();
        float[] row = new float[dim];
        for (int w = 0; w < v; w++) {
            buffer.get(w * dim, row);
            for (int i = 0; i < n; i++) {
                float dot = 0;
                for (int j = 0; j < dim; j++) {
                    dot += row[j] * h[i][j];
                }
                logits[i][w] = dot + bias[w];
            }
        }
        double[] mean = new double[v];
        for (double[] z : logits) {
            double max = Double.NEGATIVE_INFINITY;
            for (double value : z) {
                max = Math.max(max, value);
            }
            double sum = 0;
            for (double value : z) {
                sum += Math.exp(value - max);
            }
            double lse = max + Math.log(sum);
            for (int w = 0; w < v; w++) {
                mean[w] += (z[w] - lse) / n;
            }
        }
        boolean[] out = new boolean[v];
        for (int id : TopK.largest(mean, allowed, candidatePool)) {
            out[id] = true;
        }
        return out;
    }

    private Map<String, List<ScoredWord>> select(double[][] scores, boolean[] allowed, Tokenizer tokenizer) {
        int v = scores[0].length;
        Set<String> taken = new HashSet<>();
        List<List<ScoredWord>> perClass = new ArrayList<>();
        for (int c = 0; c < scores.length; c++) {
            boolean[] mine = new boolean[v];
            for (int w = 0; w < v; w++) {
                mine[w] = allowed[w] && ownClass(scores, w) == c;
            }
            List<ScoredWord> chosen = new ArrayList<>();
            for (int id : TopK.largest(scores[c], mine, v)) {
                if (chosen.size() == wordsPerClass) {
                    break;
                }
                String token = tokenizer.idToToken(id);
                int[] encoded = tokenizer.encode(tokenizer.spaceSensitive() ? " " + token : token).ids();
                if (encoded.length != 1 || encoded[0] != id || !taken.add(token.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                chosen.add(new ScoredWord(token, id, scores[c][id]));
            }
            perClass.add(chosen);
        }
        int count = perClass.stream().mapToInt(List::size).min().orElse(0);
        if (count == 0) {
            throw new IllegalStateException("no vocabulary word passes the filter " + filter + " for some class "
                    + "among a candidate pool of " + (candidatePool == 0 ? "the whole vocabulary" : candidatePool
                    + " words") + "; relax the filter or enlarge the pool");
        }
        Map<String, List<ScoredWord>> out = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            out.put(classes.get(c), perClass.get(c).subList(0, count));
        }
        return out;
    }

    private static int ownClass(double[][] scores, int w) {
        int best = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c][w] > scores[best][w]) {
                best = c;
            }
        }
        return best;
    }

    /** Configures a {@link LabelWordSearch}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private List<Example> train = List.of();
        private List<String> classes;
        private int wordsPerClass = 3;
        private double l2 = 1e-2;
        private boolean withOutputBias;
        private VocabularyFilter filter = VocabularyFilter.defaults().withExcludeContinuations(true);
        private int batchSize = 32;
        private int maxLength = 128;
        private int maxIterations = 500;
        private int candidatePool = 200;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The template (required); unbound trigger slots hold the mask token, bound ones their triggers. */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** Training examples with class labels (required, non-empty). */
        public Builder train(List<Example> examples) {
            this.train = List.copyOf(examples);
            return this;
        }

        /** The classes in order (default: order of first appearance in the training data). */
        public Builder classes(List<String> classes) {
            this.classes = List.copyOf(classes);
            return this;
        }

        /** Words kept per class (default 3). */
        public Builder wordsPerClass(int k) {
            this.wordsPerClass = k;
            return this;
        }

        /** L2 penalty of the logistic regression (default 0.01). */
        public Builder l2(double l2) {
            this.l2 = l2;
            return this;
        }

        /** Whether to add the MLM output bias {@code b_w} to the word scores (default false, as AutoPrompt's code). */
        public Builder withOutputBias(boolean add) {
            this.withOutputBias = add;
            return this;
        }

        /** Which tokens may be label words (default: no special tokens, no {@code ##} continuations). */
        public Builder filter(VocabularyFilter filter) {
            this.filter = filter;
            return this;
        }

        /** Prompts per model call (default 32). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /** Longest prompt in tokens (default 128, capped at the model's limit). */
        public Builder maxLength(int tokens) {
            this.maxLength = tokens;
            return this;
        }

        /**
         * How many words compete: the allowed words most probable at the mask on average over the training prompts
         * (default 200; 0 = the whole vocabulary, as the paper). See the class comment for why.
         */
        public Builder candidatePool(int words) {
            this.candidatePool = words;
            return this;
        }

        /** L-BFGS iteration cap (default 500). */
        public Builder maxIterations(int iterations) {
            this.maxIterations = iterations;
            return this;
        }

        /**
         * Validates the configuration.
         *
         * @throws IllegalArgumentException for no template, an empty training set, fewer than two classes, a class
         *         without training examples, an example label that is not a class, or an invalid size or penalty
         */
        public LabelWordSearch build() {
            if (template == null) {
                throw new IllegalArgumentException("set a template, e.g. Template.parse(\"{sentence} [MASK] .\")");
            }
            if (train.isEmpty()) {
                throw new IllegalArgumentException("the training set is empty; pass examples with train(...)");
            }
            if (candidatePool < 0) {
                throw new IllegalArgumentException("candidatePool must be 0 (whole vocabulary) or positive, got "
                        + candidatePool);
            }
            if (wordsPerClass < 1 || batchSize < 1 || maxLength < 1 || maxIterations < 1) {
                throw new IllegalArgumentException("wordsPerClass, batchSize, maxLength and maxIterations must be "
                        + "positive");
            }
            if (!(l2 > 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("l2 must be a positive number, got " + l2);
            }
            if (filter == null) {
                throw new IllegalArgumentException("filter must not be null");
            }
            Set<String> seen = new LinkedHashSet<>();
            train.forEach(e -> seen.add(e.label()));
            List<String> order = classes != null ? classes : new ArrayList<>(seen);
            if (order.size() < 2) {
                throw new IllegalArgumentException("label-word search needs at least two classes, got " + order);
            }
            for (String label : seen) {
                if (!order.contains(label)) {
                    throw new IllegalArgumentException("training label '" + label + "' is not one of the classes "
                            + order);
                }
            }
            for (String c : order) {
                if (!seen.contains(c)) {
                    throw new IllegalArgumentException("class '" + c + "' has no training example; every class "
                            + "needs at least one");
                }
            }
            return new LabelWordSearch(this, List.copyOf(order));
        }
    }
}
