package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-mask label words on bert-base-multilingual-cased with ChnSentiCorp dev sentences: the multilingual vocabulary
 * splits CJK text per character, so 满意 and 失望 are two pieces each, and the classifier's scores must equal the
 * chain rule (LEFT_TO_RIGHT) or the independent product (PARALLEL) computed here with plain full-vocabulary
 * {@code maskLogits} calls on a template written with two literal masks (and, more loosely, a log-softmax of our own
 * over the raw logits).
 */
class MultiMaskChineseIT {

    private static final int LIMIT = 96;
    /** Float32 noise: the classifier's calls batch and pad differently from ours and score fewer columns. */
    private static final double TOLERANCE = 2e-4;
    /**
     * The model's float32 full-vocabulary normaliser differs from a double log-softmax of its own logits by about
     * 4e-4 per mask (measured 3.5e-4 to 6e-4 on these sentences), so two pieces may differ by about 1e-3.
     */
    private static final double NORMALISER_TOLERANCE = 2e-3;
    private static final List<String> SENTENCES = new ArrayList<>();

    @BeforeAll
    static void readDev() throws IOException {
        List<String> lines = Files.readAllLines(RealModels.shared().resolve("data/chnsenticorp/dev.tsv"),
                StandardCharsets.UTF_8);
        assertEquals("label\ttext_a", lines.get(0), "ChnSentiCorp dev.tsv header");
        for (String line : lines.subList(1, 5)) {
            SENTENCES.add(line.split("\t", 2)[1].strip());
        }
    }

    /** log p(token) at one mask, from the full-vocabulary logits with a log-softmax in double. */
    private static double logSoftmax(MaskLogits all, int prompt, int mask, int token) {
        float[] row = all.logits().vector(prompt, mask);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return row[token] - max - Math.log(sum);
    }

    @Test
    void twoCharacterWordsScoreByTheChainRuleAndTheIndependentProduct() {
        OnnxMaskedLanguageModel model = RealModels.get(PretrainedModels.BERT_BASE_MULTILINGUAL_CASED);
        Verbalizer v = Verbalizer.builder().add("0", "失望").add("1", "满意").policy(MultiTokenPolicy.MULTI_MASK)
                .build();
        Template oneMask = Template.parse("{text} 总之，我很[MASK]。");
        PromptClassifier leftToRight = PromptClassifier.builder(model).template(oneMask).verbalizer(v)
                .multiMaskDecoding(MultiMaskDecoding.LEFT_TO_RIGHT).maxLength(LIMIT).build();
        PromptClassifier parallel = PromptClassifier.builder(model).template(oneMask).verbalizer(v)
                .multiMaskDecoding(MultiMaskDecoding.PARALLEL).maxLength(LIMIT).build();
        for (LabelWord w : leftToRight.labelWords()) {
            assertEquals(2, w.pieceIds().length, w.word() + " should be one piece per character: " + w.pieces());
            assertEquals(List.of(w.word().substring(0, 1), w.word().substring(1)), w.pieces());
        }
        List<Classification> l2r = leftToRight.classifyAll(SENTENCES);
        List<Classification> par = parallel.classifyAll(SENTENCES);

        // The same input written with two literal masks, encoded under the same limit.
        Template twoMasks = Template.parse("{text} 总之，我很[MASK][MASK]。");
        List<EncodedPrompt> prompts = new ArrayList<>();
        for (String s : SENTENCES) {
            prompts.add(twoMasks.encoder(model.tokenizer(), Truncation.defaults().withMaxLength(LIMIT))
                    .encode(Map.of("text", s)));
        }
        MaskLogits bothMasked = model.maskLogits(prompts);
        for (LabelWord w : leftToRight.labelWords()) {
            int c1 = w.pieceIds()[0];
            int c2 = w.pieceIds()[1];
            List<EncodedPrompt> firstFilled = new ArrayList<>();
            for (EncodedPrompt p : prompts) {
                firstFilled.add(p.withIds(new int[] {p.maskPositions()[0]}, new int[] {c1}));
            }
            MaskLogits filled = model.maskLogits(firstFilled);
            for (int i = 0; i < SENTENCES.size(); i++) {
                double chain = bothMasked.logProb(i, 0, c1) + filled.logProb(i, 1, c2);
                double product = bothMasked.logProb(i, 0, c1) + bothMasked.logProb(i, 1, c2);
                assertEquals(chain, l2r.get(i).wordScores().get(w.word()), TOLERANCE,
                        "LEFT_TO_RIGHT " + w.word() + " on sentence " + i);
                assertEquals(product, par.get(i).wordScores().get(w.word()), TOLERANCE,
                        "PARALLEL " + w.word() + " on sentence " + i);
                // The same from the raw logits with a log-softmax in double.
                double ownChain = logSoftmax(bothMasked, i, 0, c1) + logSoftmax(filled, i, 1, c2);
                assertEquals(ownChain, chain, NORMALISER_TOLERANCE, "chain rule from raw logits, sentence " + i);
                assertTrue(Math.abs(chain - product) > 1e-3, "filling the first character should change the "
                        + "second's probability (sentence " + i + ", " + w.word() + ")");
            }
        }
    }
}
