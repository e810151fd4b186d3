package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gradient graph of the real BERT-base: its loss equals the forward graph's label log-probability, and its
 * input-embedding gradient matches central finite differences of that loss (taken by feeding perturbed soft vectors).
 * Float32 model, unit directions, step 0.01: agreement to 1% (observed about 0.2%).
 */
class RealGradientIT {

    @Test
    void lossEqualsTheForwardGraphsLabelLogProbability() {
        OnnxMaskedLanguageModel model = RealModels.get(PretrainedModels.BERT_BASE_UNCASED);
        Tokenizer tok = model.tokenizer();
        EncodedPrompt prompt = prompt(tok, "the capital of france is [MASK] .");
        int paris = tok.tokenToId("paris").orElseThrow();
        int lyon = tok.tokenToId("lyon").orElseThrow();
        MaskLogits logits = model.maskLogits(List.of(prompt), new int[] {paris, lyon});
        double expected = -Math.log(Math.exp(logits.logProb(0, 0, 0)) + Math.exp(logits.logProb(0, 0, 1)));
        LabelLossGradient g = model.labelLossGradients(List.of(
                GradientRequest.of(prompt, new int[] {paris, lyon}, new int[] {1}))).get(0);
        assertEquals(expected, g.loss(), 2e-3);
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        OnnxMaskedLanguageModel model = RealModels.get(PretrainedModels.BERT_BASE_UNCASED);
        Tokenizer tok = model.tokenizer();
        EncodedPrompt prompt = prompt(tok, "a gripping , moving film . it was [MASK] .");
        int[] gold = {tok.tokenToId("great").orElseThrow(), tok.tokenToId("good").orElseThrow()};
        int position = 2;
        float[] base = model.inputEmbeddings().row(prompt.id(position));
        LabelLossGradient g = model.labelLossGradients(List.of(
                GradientRequest.of(prompt, gold, new int[] {position}))).get(0);
        float[] grad = g.gradient(0);
        double norm = 0;
        for (float x : grad) {
            norm += x * x;
        }
        assertTrue(norm > 0, "gradient is not zero");

        Random random = new Random(5);
        double eps = 0.01;
        for (int trial = 0; trial < 3; trial++) {
            // Unit directions: the gradient's own for the first trial (largest signal), random afterwards.
            float[] d = new float[base.length];
            double dn = 0;
            for (int j = 0; j < d.length; j++) {
                d[j] = trial == 0 ? grad[j] : (float) random.nextGaussian();
                dn += (double) d[j] * d[j];
            }
            for (int j = 0; j < d.length; j++) {
                d[j] /= (float) Math.sqrt(dn);
            }
            double lossPlus = loss(model, prompt, gold, position, base, d, eps);
            double lossMinus = loss(model, prompt, gold, position, base, d, -eps);
            double numeric = (lossPlus - lossMinus) / (2 * eps);
            double analytic = 0;
            for (int j = 0; j < d.length; j++) {
                analytic += grad[j] * d[j];
            }
            assertEquals(numeric, analytic, 0.01 * Math.abs(analytic) + 2e-3,
                    "directional derivative, trial " + trial);
        }
    }

    private static double loss(OnnxMaskedLanguageModel model, EncodedPrompt prompt, int[] gold, int position,
            float[] base, float[] d, double step) {
        float[] v = new float[base.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (base[j] + step * d[j]);
        }
        return model.labelLossGradients(List.of(new GradientRequest(prompt, gold, Map.of(position, v),
                new int[0]))).get(0).loss();
    }

    private static EncodedPrompt prompt(Tokenizer tok, String text) {
        int[] ids = tok.frame(tok.encode(text).ids());
        List<Integer> masks = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == tok.specialTokens().mask()) {
                masks.add(i);
            }
        }
        return EncodedPrompt.of(ids, masks.stream().mapToInt(Integer::intValue).toArray(), new int[0]);
    }
}
