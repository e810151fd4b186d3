package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The int8 engine against the independent float64 reference of {@code ../shared/golden/fill_mask_*.json}: every
 * mask's reference top-1 word is among the int8 engine's top 3, and the int8 top-1 equals the reference's on at least
 * 90% of the masks.
 */
class Int8GoldenIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void uncasedInt8KeepsTheReferenceTop1() throws IOException {
        check(PretrainedModels.BERT_BASE_UNCASED, "fill_mask_uncased.json");
    }

    @Test
    void multilingualInt8KeepsTheReferenceTop1() throws IOException {
        check(PretrainedModels.BERT_BASE_MULTILINGUAL_CASED, "fill_mask_multi-cased.json");
    }

    private static void check(PretrainedModels which, String file) throws IOException {
        JsonNode golden = JSON.readTree(Files.readString(RealModels.shared().resolve("golden").resolve(file)));
        OnnxMaskedLanguageModel int8 = RealModels.get(which, Precision.INT8);
        List<EncodedPrompt> prompts = new ArrayList<>();
        List<int[]> referenceTop1 = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            int[] ids = c.get("input_ids").traverse(JSON).readValueAs(int[].class);
            List<Integer> positions = new ArrayList<>();
            List<Integer> top1 = new ArrayList<>();
            for (JsonNode m : c.get("masks")) {
                positions.add(m.get("position").asInt());
                top1.add(m.get("top10").get(0).get("id").asInt());
            }
            prompts.add(EncodedPrompt.of(ids, positions.stream().mapToInt(Integer::intValue).toArray(), new int[0]));
            referenceTop1.add(top1.stream().mapToInt(Integer::intValue).toArray());
        }
        MaskLogits logits = int8.maskLogits(prompts);
        int masks = 0;
        int agree = 0;
        for (int p = 0; p < prompts.size(); p++) {
            for (int m = 0; m < referenceTop1.get(p).length; m++) {
                int[] top3 = top3(logits, p, m);
                int want = referenceTop1.get(p)[m];
                masks++;
                agree += top3[0] == want ? 1 : 0;
                assertTrue(top3[0] == want || top3[1] == want || top3[2] == want, file + " case " + p + " mask " + m
                        + ": reference top-1 id " + want + " not in the int8 top 3 " + java.util.Arrays.toString(top3));
            }
        }
        System.out.printf("%s INT8: top-1 equals the reference on %d of %d masks%n", file, agree, masks);
        assertTrue(agree >= 0.9 * masks, agree + " of " + masks + " top-1 agree");
    }

    private static int[] top3(MaskLogits logits, int p, int m) {
        int[] best = {-1, -1, -1};
        int width = logits.logits().width();
        for (int v = 0; v < width; v++) {
            float x = logits.logit(p, m, v);
            for (int k = 0; k < 3; k++) {
                if (best[k] < 0 || x > logits.logit(p, m, best[k])) {
                    System.arraycopy(best, k, best, k + 1, 2 - k);
                    best[k] = v;
                    break;
                }
            }
        }
        return best;
    }
}
