package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exported BERT models against an independent reference implementation ({@code ../shared/golden/fill_mask_*.json},
 * float64 PyTorch on the same TensorFlow checkpoints): tokenisation, top-10 order, logits, log-probabilities, probe
 * logits and the final encoder hidden state at each mask, with the tolerances the golden files state.
 */
class FillMaskGoldenIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void uncasedMatchesTheReferenceImplementation() throws IOException {
        check(PretrainedModels.BERT_BASE_UNCASED, "fill_mask_uncased.json");
    }

    @Test
    void multilingualCasedMatchesTheReferenceImplementation() throws IOException {
        check(PretrainedModels.BERT_BASE_MULTILINGUAL_CASED, "fill_mask_multi-cased.json");
    }

    private static void check(PretrainedModels which, String file) throws IOException {
        Path path = RealModels.shared().resolve("golden").resolve(file);
        JsonNode golden = JSON.readTree(Files.readString(path));
        double logitTol = golden.at("/tolerances/logit_abs").asDouble();
        double logProbTol = golden.at("/tolerances/log_prob_abs").asDouble();
        double hiddenTol = golden.at("/tolerances/hidden_abs").asDouble();
        OnnxMaskedLanguageModel model = RealModels.get(which);
        Tokenizer tok = model.tokenizer();

        List<EncodedPrompt> prompts = new ArrayList<>();
        List<JsonNode> cases = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            int[] ids = ints(c.get("input_ids"));
            int[] framed = tok.frame(tok.encode(c.get("text").asText()).ids());
            assertArrayEquals(ids, framed, "tokenisation of case " + c.get("id").asText());
            List<Integer> masks = new ArrayList<>();
            for (JsonNode m : c.get("masks")) {
                masks.add(m.get("position").asInt());
            }
            prompts.add(EncodedPrompt.of(ids, masks.stream().mapToInt(Integer::intValue).toArray(), new int[0]));
            cases.add(c);
        }
        // One padded batch of all cases (different lengths), and each case alone: both must match.
        compare(model, prompts, cases, logitTol, logProbTol, hiddenTol);
        for (int i = 0; i < prompts.size(); i++) {
            compare(model, List.of(prompts.get(i)), List.of(cases.get(i)), logitTol, logProbTol, hiddenTol);
        }
    }

    private static void compare(OnnxMaskedLanguageModel model, List<EncodedPrompt> prompts, List<JsonNode> cases,
            double logitTol, double logProbTol, double hiddenTol) {
        MaskLogits logits = model.maskLogits(prompts);
        MaskVectors hidden = model.maskEncoderStates(prompts);
        Tokenizer tok = model.tokenizer();
        for (int p = 0; p < prompts.size(); p++) {
            JsonNode c = cases.get(p);
            String id = c.get("id").asText();
            int maskIndex = 0;
            for (JsonNode m : c.get("masks")) {
                String where = id + " mask " + maskIndex;
                float[] row = logits.logits().vector(p, maskIndex);
                double logsumexp = logits.logNormalizer(p, maskIndex);
                assertEquals(m.get("logsumexp").asDouble(), logsumexp, logitTol, where + " logsumexp");

                JsonNode top = m.get("top10");
                int[] order = topK(row, top.size());
                for (int k = 0; k < top.size(); k++) {
                    int expectedId = top.get(k).get("id").asInt();
                    double expectedLogit = top.get(k).get("logit").asDouble();
                    if (order[k] != expectedId) {
                        // Adjacent near-ties may swap in float32 (the golden file's rule).
                        double other = row[order[k]];
                        assertTrue(Math.abs(other - expectedLogit) < logitTol, where + " top-" + (k + 1)
                                + ": expected " + top.get(k).get("token").asText() + " got "
                                + tok.idToToken(order[k]));
                    }
                    assertEquals(expectedLogit, row[expectedId], logitTol, where + " logit of "
                            + top.get(k).get("token").asText());
                    assertEquals(top.get(k).get("log_prob").asDouble(), row[expectedId] - logsumexp, logProbTol,
                            where + " log-prob of " + top.get(k).get("token").asText());
                }
                Iterator<Map.Entry<String, JsonNode>> probes = m.get("probe_logits").fields();
                while (probes.hasNext()) {
                    Map.Entry<String, JsonNode> e = probes.next();
                    int tokenId = tok.tokenToId(e.getKey()).orElseThrow(() -> new AssertionError(
                            "probe token " + e.getKey() + " not in the vocabulary"));
                    assertEquals(e.getValue().asDouble(), row[tokenId], logitTol, where + " probe " + e.getKey());
                }
                float[] h = hidden.vector(p, maskIndex);
                JsonNode first = m.get("hidden_first16");
                for (int j = 0; j < first.size(); j++) {
                    assertEquals(first.get(j).asDouble(), h[j], hiddenTol, where + " hidden[" + j + "]");
                }
                double l2 = 0;
                for (float x : h) {
                    l2 += (double) x * x;
                }
                assertEquals(m.get("hidden_l2").asDouble(), Math.sqrt(l2), hiddenTol * 10, where + " |hidden|");
                maskIndex++;
            }
        }
    }

    private static int[] topK(float[] row, int k) {
        Integer[] idx = new Integer[row.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(row[b], row[a]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
