package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorFlowBertNamingTest {

    private final TensorFlowBertNaming hub = TensorFlowBertNaming.hubModule();

    @Test
    void layerParametersMapToTheirGoogleScopes() {
        assertEquals("module/bert/encoder/layer_3/attention/self/query/kernel",
                hub.tensorName(BertParameters.layer(3, BertParameters.QUERY_KERNEL)));
        assertEquals("module/bert/encoder/layer_11/attention/output/dense/bias",
                hub.tensorName(BertParameters.layer(11, BertParameters.ATTENTION_OUTPUT_BIAS)));
        assertEquals("module/bert/encoder/layer_0/attention/output/LayerNorm/gamma",
                hub.tensorName(BertParameters.layer(0, BertParameters.ATTENTION_LN_GAMMA)));
        assertEquals("module/bert/encoder/layer_5/intermediate/dense/kernel",
                hub.tensorName(BertParameters.layer(5, BertParameters.INTERMEDIATE_KERNEL)));
        assertEquals("module/bert/encoder/layer_5/output/dense/kernel",
                hub.tensorName(BertParameters.layer(5, BertParameters.OUTPUT_KERNEL)));
        assertEquals("module/bert/encoder/layer_5/output/LayerNorm/beta",
                hub.tensorName(BertParameters.layer(5, BertParameters.OUTPUT_LN_BETA)));
    }

    @Test
    void embeddingAndHeadParametersMapToTheirGoogleScopes() {
        assertEquals("module/bert/embeddings/word_embeddings", hub.tensorName(BertParameters.WORD_EMBEDDINGS));
        assertEquals("module/bert/embeddings/LayerNorm/beta", hub.tensorName(BertParameters.EMBEDDINGS_LN_BETA));
        assertEquals("module/cls/predictions/transform/dense/kernel",
                hub.tensorName(BertParameters.HEAD_TRANSFORM_KERNEL));
        assertEquals("module/cls/predictions/transform/LayerNorm/gamma",
                hub.tensorName(BertParameters.HEAD_LN_GAMMA));
        assertEquals("module/cls/predictions/output_bias", hub.tensorName(BertParameters.HEAD_OUTPUT_BIAS));
        assertEquals("bert/embeddings/token_type_embeddings",
                TensorFlowBertNaming.withPrefix("").tensorName(BertParameters.TOKEN_TYPE_EMBEDDINGS));
    }

    @Test
    void everyCanonicalNameMapsToADistinctTensorAndNothingIsTransposed() {
        BertConfig config = BertConfig.base(30522);
        long distinct = BertParameters.names(config).stream().map(hub::tensorName).distinct().count();
        assertEquals(BertParameters.names(config).size(), distinct);
        for (String name : BertParameters.names(config)) {
            assertFalse(hub.transposed(name), name);
        }
    }

    @Test
    void unknownNamesAndMalformedPrefixesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> hub.tensorName("encoder.layer.0.attention.bogus"));
        assertThrows(IllegalArgumentException.class, () -> hub.tensorName("pooler.kernel"));
        assertThrows(IllegalArgumentException.class, () -> TensorFlowBertNaming.withPrefix("module"));
    }
}
