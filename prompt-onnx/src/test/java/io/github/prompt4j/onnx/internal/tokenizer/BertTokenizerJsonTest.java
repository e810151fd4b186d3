package io.github.prompt4j.onnx.internal.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

class BertTokenizerJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Special tokens at the ids BERT uses relative to each other, but shuffled away from 0..4. */
    private static final List<String> VOCAB = List.of("[PAD]", "hello", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "##lo",
            "café");

    private static JsonNode generate(boolean lowerCase) throws Exception {
        return MAPPER.readTree(BertTokenizerJson.generate(VOCAB, lowerCase));
    }

    @Test
    void uncasedNormalizerLowerCasesAndStripsAccents() throws Exception {
        JsonNode normalizer = generate(true).get("normalizer");
        assertEquals("BertNormalizer", normalizer.get("type").asText());
        assertTrue(normalizer.get("clean_text").booleanValue());
        assertTrue(normalizer.get("handle_chinese_chars").booleanValue());
        assertTrue(normalizer.get("strip_accents").booleanValue());
        assertTrue(normalizer.get("lowercase").booleanValue());
    }

    @Test
    void casedNormalizerKeepsCaseAndAccents() throws Exception {
        JsonNode normalizer = generate(false).get("normalizer");
        assertFalse(normalizer.get("strip_accents").booleanValue());
        assertFalse(normalizer.get("lowercase").booleanValue());
        assertTrue(normalizer.get("clean_text").booleanValue());
    }

    @Test
    void wordPieceModelMapsEveryTokenToItsLineNumber() throws Exception {
        JsonNode model = generate(true).get("model");
        assertEquals("WordPiece", model.get("type").asText());
        assertEquals("[UNK]", model.get("unk_token").asText());
        assertEquals("##", model.get("continuing_subword_prefix").asText());
        assertEquals(100, model.get("max_input_chars_per_word").intValue());
        JsonNode vocab = model.get("vocab");
        assertEquals(VOCAB.size(), vocab.size());
        for (int id = 0; id < VOCAB.size(); id++) {
            assertEquals(id, vocab.get(VOCAB.get(id)).intValue(), VOCAB.get(id));
        }
    }

    @Test
    void specialTokensAreAddedUnnormalizedWithTheirVocabularyIds() throws Exception {
        JsonNode added = generate(true).get("added_tokens");
        List<String> contents = new ArrayList<>();
        for (JsonNode token : added) {
            contents.add(token.get("content").asText());
            assertEquals(VOCAB.indexOf(token.get("content").asText()), token.get("id").intValue());
            assertTrue(token.get("special").booleanValue());
            assertFalse(token.get("normalized").booleanValue());
            assertFalse(token.get("single_word").booleanValue());
            assertFalse(token.get("lstrip").booleanValue());
            assertFalse(token.get("rstrip").booleanValue());
        }
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), contents);
    }

    @Test
    void postProcessorFramesSingleAndPairSequences() throws Exception {
        JsonNode processor = generate(true).get("post_processor");
        assertEquals("TemplateProcessing", processor.get("type").asText());
        assertEquals("[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}]", processor.get("single").toString());
        assertEquals("[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},"
                + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}}]", processor.get("pair").toString());
        assertEquals("{\"id\":\"[CLS]\",\"ids\":[3],\"tokens\":[\"[CLS]\"]}",
                processor.get("special_tokens").get("[CLS]").toString());
        assertEquals("{\"id\":\"[SEP]\",\"ids\":[4],\"tokens\":[\"[SEP]\"]}",
                processor.get("special_tokens").get("[SEP]").toString());
    }

    @Test
    void preTokenizerAndDecoderAreBerts() throws Exception {
        JsonNode root = generate(true);
        assertEquals("{\"type\":\"BertPreTokenizer\"}", root.get("pre_tokenizer").toString());
        assertEquals("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}", root.get("decoder").toString());
        assertTrue(root.get("truncation").isNull());
        assertTrue(root.get("padding").isNull());
    }

    @Test
    void rejectsARepeatedToken() {
        List<String> vocab = new ArrayList<>(VOCAB);
        vocab.add("hello");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertTokenizerJson.generate(vocab, true));
        assertTrue(e.getMessage().contains("'hello' appears twice, at ids 1 and 8"), e.getMessage());
    }

    @Test
    void rejectsAVocabularyWithoutMask() {
        List<String> vocab = new ArrayList<>(VOCAB);
        vocab.remove("[MASK]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertTokenizerJson.generate(vocab, true));
        assertTrue(e.getMessage().contains("[MASK]"), e.getMessage());
    }

    @Test
    void rejectsEmptyVocabularyAndEmptyTokens() {
        assertThrows(IllegalArgumentException.class, () -> BertTokenizerJson.generate(List.of(), true));
        List<String> vocab = new ArrayList<>(VOCAB);
        vocab.set(1, "");
        assertThrows(IllegalArgumentException.class, () -> BertTokenizerJson.generate(vocab, true));
    }
}
