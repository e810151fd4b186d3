package io.github.prompt4j.search.generate;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.trigger.PassCounts;
import io.github.prompt4j.search.vocab.VocabularyFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates templates with the masked language model (LM-BFF's automatic template generation, Gao et al. 2021, section
 * 5.2, with the MLM's iterative mask filling in place of T5's span decoding).
 *
 * <p>For each {@link TemplateShape}, every generation example is written as the shape's skeleton with its input, the
 * first label word of its class at the label position and {@code [MASK]} at every generated slot. Slots are filled
 * left to right by beam search: for each beam and each vocabulary token {@code v} allowed by the filter, the step score
 * is {@code sum_examples log p(v | example, earlier slots filled)} at the next slot (the later slots still
 * {@code [MASK]}), added to the beam's score, and the {@code beamWidth} best continuations are kept. The sum over
 * examples of all classes is LM-BFF's aggregation: the template must suit every class's word. Ties go to the smaller
 * token id.
 *
 * <p>Allowed tokens: no special or bracketed tokens, no {@code ##} continuations, not the label words, and only tokens
 * whose spelling tokenizes back to themselves, so a generated template's text encodes to the decoded ids.
 *
 * <p>Cost: {@code beamWidth * examples} forward passes per slot (the first slot: {@code examples}).
 * {@link Builder#build()} only configures; {@link #run()} works. Not thread-safe; the model is shared.
 */
public final class TemplateGenerator {

    private static final Logger log = LoggerFactory.getLogger(TemplateGenerator.class);

    private final MaskedLanguageModel model;
    private final Verbalizer verbalizer;
    private final List<Example> examples;
    private final List<TemplateShape> shapes;
    private final int beamWidth;
    private final int batchSize;
    private final int maxLength;

    private TemplateGenerator(Builder b) {
        this.model = b.model;
        this.verbalizer = b.verbalizer;
        this.examples = b.examples;
        this.shapes = b.shapes;
        this.beamWidth = b.beamWidth;
        this.batchSize = b.batchSize;
        this.maxLength = b.maxLength;
    }

    /** A builder for a generator over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /** A partial template: the ids of its filled slots (the first {@code filled} entries) and its score. */
    private record Beam(int[] ids, int filled, double score) {
    }

    /** Decodes every shape; the result lists each shape's beams, best first, shapes in order. */
    public GenerationResult run() {
        long t0 = System.nanoTime();
        Tokenizer tokenizer = model.tokenizer();
        String field = examples.get(0).fields().size() == 1 ? examples.get(0).fields().keySet().iterator().next()
                : null;
        if (field == null) {
            throw new IllegalArgumentException("template generation needs single-field examples, got fields "
                    + examples.get(0).fields().keySet());
        }
        int[] classWord = new int[examples.size()];
        List<Integer> labelIds = new ArrayList<>();
        List<LabelWord> words = verbalizer.resolve(tokenizer);
        for (LabelWord w : words) {
            labelIds.add(w.pieceIds()[0]);
        }
        for (int i = 0; i < examples.size(); i++) {
            Example example = examples.get(i);
            String label = example.label();
            LabelWord first = words.stream().filter(w -> w.label().equals(label)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("generation example " + example + " has label '" + label
                            + "', which names no class of " + verbalizer.labels()));
            if (!first.singlePiece()) {
                throw new IllegalArgumentException("label word '" + first.word() + "' is " + first.pieceIds().length
                        + " word pieces " + first.pieces() + "; template generation puts one token at the label "
                        + "position, so use a single-piece word");
            }
            classWord[i] = first.pieceIds()[0];
        }
        boolean[] allowed = allowed(tokenizer, labelIds);
        long passes = 0;
        List<GeneratedTemplate> out = new ArrayList<>();
        int mask = tokenizer.specialTokens().mask();
        for (TemplateShape shape : shapes) {
            Template skeleton = Template.parse(shape.skeleton(field));
            TemplateEncoder encoder = skeleton.encoder(tokenizer,
                    Truncation.of(Math.min(maxLength, tokenizer.maxSequenceLength()), TruncationSide.TAIL));
            List<EncodedPrompt> base = new ArrayList<>(examples.size());
            for (int i = 0; i < examples.size(); i++) {
                EncodedPrompt p = encoder.encode(examples.get(i).valuesFor(skeleton));
                int[] ids = p.ids();
                ids[p.maskPositions()[0]] = classWord[i];
                for (int t : p.triggerPositions()) {
                    ids[t] = mask;
                }
                base.add(new EncodedPrompt(ids, p.attentionMask(), p.tokenTypes(), p.maskPositions(),
                        p.triggerPositions(), p.softPositions(), p.truncatedTokens()));
            }
            List<Beam> beams = List.of(new Beam(new int[shape.slots()], 0, 0));
            for (int slot = 0; slot < shape.slots(); slot++) {
                List<Beam> next = new ArrayList<>();
                for (Beam beam : beams) {
                    double[] step = stepScores(base, beam, slot);
                    passes += base.size();
                    for (int v : topIds(step, allowed, beamWidth)) {
                        int[] ids = beam.ids().clone();
                        ids[slot] = v;
                        next.add(new Beam(ids, slot + 1, beam.score() + step[v]));
                    }
                }
                next.sort(Comparator.comparingDouble((Beam b) -> -b.score()).thenComparing(b -> b.ids(),
                        Arrays::compare));
                beams = List.copyOf(next.subList(0, Math.min(beamWidth, next.size())));
            }
            for (Beam beam : beams) {
                List<String> tokens = new ArrayList<>();
                for (int id : beam.ids()) {
                    tokens.add(tokenizer.idToToken(id));
                }
                out.add(new GeneratedTemplate(shape, shape.fill(field, tokens), shape.skeleton(field), tokens,
                        beam.ids(), beam.score()));
            }
            log.info("shape {}: best '{}' ({})", shape, out.get(out.size() - beams.size()).template(),
                    String.format(java.util.Locale.ROOT, "%.2f", beams.get(0).score()));
        }
        return new GenerationResult(model.info().name(), verbalizer.words(), out, beamWidth, examples.size(),
                new PassCounts(passes, 0), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * {@code sum_examples log p(v)} for every vocabulary id at slot {@code slot} of each example's prompt, the beam's
     * earlier slots filled and the later ones {@code [MASK]}.
     */
    private double[] stepScores(List<EncodedPrompt> base, Beam beam, int slot) {
        double[] sum = new double[model.tokenizer().vocabularySize()];
        for (int from = 0; from < base.size(); from += batchSize) {
            List<EncodedPrompt> batch = new ArrayList<>();
            for (EncodedPrompt p : base.subList(from, Math.min(base.size(), from + batchSize))) {
                int[] positions = p.triggerPositions();
                int[] ids = p.ids();
                for (int k = 0; k < beam.filled(); k++) {
                    ids[positions[k]] = beam.ids()[k];
                }
                batch.add(new EncodedPrompt(ids, p.attentionMask(), p.tokenTypes(), new int[] {positions[slot]},
                        new int[0], p.softPositions(), p.truncatedTokens()));
            }
            MaskLogits logits = model.maskLogits(batch);
            for (int p = 0; p < batch.size(); p++) {
                float norm = logits.logNormalizer(p, 0);
                for (int v = 0; v < sum.length; v++) {
                    sum[v] += logits.logit(p, 0, v) - norm;
                }
            }
        }
        return sum;
    }

    /** The {@code k} allowed ids with the largest scores, best first, ties to the smaller id. */
    static int[] topIds(double[] scores, boolean[] allowed, int k) {
        List<Integer> ids = new ArrayList<>();
        for (int v = 0; v < scores.length; v++) {
            if (allowed[v]) {
                ids.add(v);
            }
        }
        ids.sort(Comparator.comparingDouble((Integer v) -> -scores[v]).thenComparingInt(v -> v));
        return ids.subList(0, Math.min(k, ids.size())).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The filter's tokens whose spelling encodes back to exactly themselves. */
    static boolean[] allowed(Tokenizer tokenizer, List<Integer> labelIds) {
        boolean[] allowed = VocabularyFilter.defaults().withExcludeContinuations(true).allowed(tokenizer, labelIds);
        for (int v = 0; v < allowed.length; v++) {
            if (allowed[v]) {
                int[] ids = tokenizer.encode(tokenizer.idToToken(v)).ids();
                allowed[v] = ids.length == 1 && ids[0] == v;
            }
        }
        return allowed;
    }

    /** Configures a {@link TemplateGenerator}; {@link #build()} only checks and copies. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Verbalizer verbalizer;
        private List<Example> examples;
        private List<TemplateShape> shapes = TemplateShape.defaults();
        private int beamWidth = 5;
        private int batchSize = 64;
        private int maxLength = 128;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The label words; each class's first word is placed at the label position (required). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        /** The generation examples, single-field, of every class (required; LM-BFF uses its few-shot training set). */
        public Builder examples(List<Example> examples) {
            this.examples = examples == null ? null : List.copyOf(examples);
            return this;
        }

        /** The shapes decoded (default {@link TemplateShape#defaults()}). */
        public Builder shapes(List<TemplateShape> shapes) {
            this.shapes = shapes == null ? null : List.copyOf(shapes);
            return this;
        }

        /** Beams kept per step, and templates returned per shape (default 5). */
        public Builder beamWidth(int beamWidth) {
            this.beamWidth = beamWidth;
            return this;
        }

        /** Prompts per model call (default 64). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Longest prompt in tokens (default 128, at most the model's limit). */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /**
         * Checks the configuration.
         *
         * @throws IllegalArgumentException for a missing verbalizer, no examples or shapes, or a beam width or batch
         *         size below 1
         */
        public TemplateGenerator build() {
            if (verbalizer == null) {
                throw new IllegalArgumentException("set the label words: builder.verbalizer(Verbalizer.builder()"
                        + ".add(\"0\", \"terrible\").add(\"1\", \"fantastic\").build())");
            }
            if (examples == null || examples.isEmpty()) {
                throw new IllegalArgumentException("give generation examples: builder.examples(train)");
            }
            if (shapes == null || shapes.isEmpty()) {
                throw new IllegalArgumentException("give at least one template shape, e.g. TemplateShape.defaults()");
            }
            if (beamWidth < 1 || batchSize < 1 || maxLength < 4) {
                throw new IllegalArgumentException("beamWidth and batchSize must be >= 1 and maxLength >= 4, got "
                        + beamWidth + ", " + batchSize + ", " + maxLength);
            }
            return new TemplateGenerator(this);
        }
    }
}
