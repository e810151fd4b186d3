package io.github.prompt4j.onnx.export.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyBertTest {

    @TempDir
    Path tmp;

    @Test
    void readingTheHuggingFaceDirectoryBackReproducesTheWeightsExactly() {
        TinyBert tiny = TinyBert.random(42);
        Path dir = tiny.writeHuggingFace(tmp.resolve("tiny-bert-uncased"));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertEquals(TinyBert.DEFAULT_CONFIG, checkpoint.config());
            assertEquals(tiny.vocabulary(), checkpoint.vocabulary());
            assertTrue(checkpoint.lowerCase());
            Map<String, float[]> read = ReferenceBert.readAll(checkpoint);
            assertEquals(BertParameters.names(tiny.config()), List.copyOf(read.keySet()));
            tiny.weights().forEach((name, values) -> assertArrayEquals(values, read.get(name), name));

            int[] ids = {TinyBert.CLS, tiny.tokenId("great"), tiny.tokenId("film"), TinyBert.MASK, TinyBert.SEP};
            int[] types = new int[ids.length];
            assertArrayEquals(tiny.reference().forward(ids, types).logits(3),
                    ReferenceBert.fromCheckpoint(checkpoint).forward(ids, types).logits(3), 0.0);
        }
    }

    @Test
    void sameSeedGivesTheSameModelAndAnotherSeedAnotherOne() {
        String kernel = BertParameters.layer(1, BertParameters.VALUE_KERNEL);
        assertArrayEquals(TinyBert.random(3).weight(kernel), TinyBert.random(3).weight(kernel));
        assertFalse(java.util.Arrays.equals(TinyBert.random(3).weight(kernel), TinyBert.random(4).weight(kernel)));
    }

    @Test
    void vocabularyHasTheSpecialsFirstAndDistinctTokens() {
        List<String> vocabulary = TinyBert.random(1).vocabulary();
        assertEquals(TinyBert.DEFAULT_CONFIG.vocabSize(), vocabulary.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), vocabulary.subList(0, 5));
        assertEquals(vocabulary.size(), new HashSet<>(vocabulary).size());
        assertTrue(vocabulary.contains("##s") && vocabulary.contains("good"));
    }

    @Test
    void layerNormGammasAreNearOneAndKernelsSmall() {
        TinyBert tiny = TinyBert.random(5);
        float[] gamma = tiny.weight(BertParameters.layer(0, BertParameters.OUTPUT_LN_GAMMA));
        double mean = 0;
        for (float g : gamma) {
            mean += g;
        }
        mean /= gamma.length;
        assertEquals(1.0, mean, 0.1);
        float[] kernel = tiny.weight(BertParameters.layer(0, BertParameters.QUERY_KERNEL));
        double sumSq = 0;
        for (float k : kernel) {
            sumSq += k * k;
        }
        double std = Math.sqrt(sumSq / kernel.length);
        assertTrue(std > 0.1 && std < 0.2, "kernel std " + std);
    }
}
