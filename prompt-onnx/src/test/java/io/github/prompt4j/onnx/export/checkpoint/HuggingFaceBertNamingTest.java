package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HuggingFaceBertNamingTest {

    private final HuggingFaceBertNaming naming = new HuggingFaceBertNaming();

    @Test
    void mapsCanonicalNamesToTransformersNames() {
        assertEquals("bert.embeddings.word_embeddings.weight", naming.tensorName(BertParameters.WORD_EMBEDDINGS));
        assertEquals("bert.embeddings.LayerNorm.weight", naming.tensorName(BertParameters.EMBEDDINGS_LN_GAMMA));
        assertEquals("bert.encoder.layer.11.attention.self.query.weight",
                naming.tensorName(BertParameters.layer(11, BertParameters.QUERY_KERNEL)));
        assertEquals("bert.encoder.layer.0.attention.output.dense.bias",
                naming.tensorName(BertParameters.layer(0, BertParameters.ATTENTION_OUTPUT_BIAS)));
        assertEquals("bert.encoder.layer.3.attention.output.LayerNorm.bias",
                naming.tensorName(BertParameters.layer(3, BertParameters.ATTENTION_LN_BETA)));
        assertEquals("bert.encoder.layer.2.intermediate.dense.weight",
                naming.tensorName(BertParameters.layer(2, BertParameters.INTERMEDIATE_KERNEL)));
        assertEquals("bert.encoder.layer.2.output.dense.weight",
                naming.tensorName(BertParameters.layer(2, BertParameters.OUTPUT_KERNEL)));
        assertEquals("bert.encoder.layer.2.output.LayerNorm.weight",
                naming.tensorName(BertParameters.layer(2, BertParameters.OUTPUT_LN_GAMMA)));
        assertEquals("cls.predictions.transform.dense.weight",
                naming.tensorName(BertParameters.HEAD_TRANSFORM_KERNEL));
        assertEquals("cls.predictions.transform.LayerNorm.bias", naming.tensorName(BertParameters.HEAD_LN_BETA));
    }

    @Test
    void listsLegacyGammaBetaAndDecoderBiasAlternatives() {
        assertEquals(List.of("bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.gamma"),
                naming.tensorNames(BertParameters.EMBEDDINGS_LN_GAMMA));
        assertEquals(List.of("bert.encoder.layer.1.output.LayerNorm.bias", "bert.encoder.layer.1.output.LayerNorm.beta"),
                naming.tensorNames(BertParameters.layer(1, BertParameters.OUTPUT_LN_BETA)));
        assertEquals(List.of("cls.predictions.bias", "cls.predictions.decoder.bias"),
                naming.tensorNames(BertParameters.HEAD_OUTPUT_BIAS));
    }

    @Test
    void exactlyTheKernelsAreTransposedAndAllNamesAreDistinct() {
        BertConfig config = BertConfig.base(100);
        Set<String> seen = new HashSet<>();
        for (String name : BertParameters.names(config)) {
            assertEquals(name.endsWith(".kernel"), naming.transposed(name), name);
            assertTrue(seen.add(naming.tensorName(name)), name);
        }
        assertFalse(naming.transposed(BertParameters.WORD_EMBEDDINGS));
    }

    @Test
    void unknownNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> naming.tensorName("encoder.layer.0.attention.bogus"));
        assertTrue(e.getMessage().contains("encoder.layer.0.attention.bogus"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> naming.transposed("pooler.kernel"));
    }
}
