package io.github.prompt4j.onnx.internal.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the HuggingFace {@code tokenizer.json} of a BERT WordPiece vocabulary, equivalent to what
 * {@code BertTokenizerFast} saves, so that the HuggingFace Rust tokenizer (run by DJL) tokenizes exactly as BERT
 * was trained.
 *
 * <p>The pipeline it describes (HuggingFace {@code tokenizers} 0.20/0.21 serialization, the version DJL 0.38
 * bundles):
 * <ol>
 *   <li>added tokens {@code [PAD] [UNK] [CLS] [SEP] [MASK]} with their vocabulary ids, {@code special: true},
 *       {@code normalized: false}: matched in the raw text in exact case before anything else, so {@code "[MASK]"}
 *       written inside a text encodes to the mask id while {@code "[mask]"} is ordinary text;</li>
 *   <li>normalizer {@code BertNormalizer}: clean text (drop control characters and U+FFFD, map whitespace to a
 *       space), pad CJK ideographs with spaces, and, when lower-casing, lower-case and strip accents (NFD, drop
 *       {@code Mn});</li>
 *   <li>pre-tokenizer {@code BertPreTokenizer}: split on whitespace and isolate every punctuation character;</li>
 *   <li>model {@code WordPiece}: greedy longest match first, continuation prefix {@code ##}, unknown token
 *       {@code [UNK]}, words longer than {@value #MAX_INPUT_CHARS_PER_WORD} code points become {@code [UNK]};</li>
 *   <li>post-processor {@code TemplateProcessing}: {@code [CLS] $A [SEP]} and {@code [CLS] $A [SEP] $B:1 [SEP]:1};</li>
 *   <li>decoder {@code WordPiece}: joins {@code ##} continuations and cleans up spaces before punctuation.</li>
 * </ol>
 *
 * <p>Stateless and thread-safe.
 */
public final class BertTokenizerJson {

    /** Longest word, in Unicode code points after normalization, that WordPiece splits; longer words are [UNK]. */
    public static final int MAX_INPUT_CHARS_PER_WORD = 100;

    /** The BERT special tokens, in the order they are listed as added tokens. */
    static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private static final String UNK = "[UNK]";
    private static final String CLS = "[CLS]";
    private static final String SEP = "[SEP]";
    private static final String CONTINUATION_PREFIX = "##";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BertTokenizerJson() {
    }

    /**
     * Generates the {@code tokenizer.json} text for a BERT vocabulary.
     *
     * @param vocabulary the tokens in id order (the lines of {@code vocab.txt}): token {@code i} has id {@code i};
     *     must contain {@code [PAD] [UNK] [CLS] [SEP] [MASK]}, no token twice, no null or empty token
     * @param lowerCase whether the model is uncased: lower-case and strip accents before WordPiece
     * @return the JSON text (UTF-16 string; write it as UTF-8)
     * @throws IllegalArgumentException if the vocabulary is empty, has a null, empty or repeated token, or lacks a
     *     special token
     */
    public static String generate(List<String> vocabulary, boolean lowerCase) {
        Map<String, Integer> ids = indexVocabulary(vocabulary);
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.set("added_tokens", addedTokens(ids));
        root.set("normalizer", normalizer(lowerCase));
        root.set("pre_tokenizer", MAPPER.createObjectNode().put("type", "BertPreTokenizer"));
        root.set("post_processor", postProcessor(ids));
        root.set("decoder", MAPPER.createObjectNode()
                .put("type", "WordPiece")
                .put("prefix", CONTINUATION_PREFIX)
                .put("cleanup", true));
        root.set("model", model(vocabulary));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always serializes; reaching here is a bug in this class.
            throw new IllegalStateException("could not serialize tokenizer.json", e);
        }
    }

    private static Map<String, Integer> indexVocabulary(List<String> vocabulary) {
        if (vocabulary == null || vocabulary.isEmpty()) {
            throw new IllegalArgumentException("vocabulary must not be null or empty; pass the lines of vocab.txt");
        }
        Map<String, Integer> ids = new HashMap<>(vocabulary.size() * 2);
        for (int id = 0; id < vocabulary.size(); id++) {
            String token = vocabulary.get(id);
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("vocabulary entry " + id + " is " + (token == null ? "null" : "empty")
                        + "; every id needs a non-empty token");
            }
            Integer previous = ids.putIfAbsent(token, id);
            if (previous != null) {
                throw new IllegalArgumentException("vocabulary token '" + token + "' appears twice, at ids " + previous
                        + " and " + id + "; a WordPiece vocabulary maps each token to one id");
            }
        }
        for (String special : SPECIAL_TOKENS) {
            if (!ids.containsKey(special)) {
                throw new IllegalArgumentException("vocabulary lacks the special token " + special
                        + "; a BERT vocabulary needs " + SPECIAL_TOKENS);
            }
        }
        return ids;
    }

    private static ArrayNode addedTokens(Map<String, Integer> ids) {
        ArrayNode added = MAPPER.createArrayNode();
        SPECIAL_TOKENS.stream()
                .sorted((a, b) -> Integer.compare(ids.get(a), ids.get(b)))
                .forEach(token -> added.addObject()
                        .put("id", ids.get(token))
                        .put("content", token)
                        .put("single_word", false)
                        .put("lstrip", false)
                        .put("rstrip", false)
                        // Not normalized: matched in the raw text, so only the exact-case spelling is special.
                        .put("normalized", false)
                        .put("special", true));
        return added;
    }

    private static ObjectNode normalizer(boolean lowerCase) {
        return MAPPER.createObjectNode()
                .put("type", "BertNormalizer")
                .put("clean_text", true)
                .put("handle_chinese_chars", true)
                // BERT strips accents exactly when it lower-cases (strip_accents null would mean the same).
                .put("strip_accents", lowerCase)
                .put("lowercase", lowerCase);
    }

    private static ObjectNode postProcessor(Map<String, Integer> ids) {
        ObjectNode processor = MAPPER.createObjectNode().put("type", "TemplateProcessing");
        ArrayNode single = processor.putArray("single");
        special(single, CLS, 0);
        sequence(single, "A", 0);
        special(single, SEP, 0);
        ArrayNode pair = processor.putArray("pair");
        special(pair, CLS, 0);
        sequence(pair, "A", 0);
        special(pair, SEP, 0);
        sequence(pair, "B", 1);
        special(pair, SEP, 1);
        ObjectNode specials = processor.putObject("special_tokens");
        for (String token : List.of(CLS, SEP)) {
            ObjectNode entry = specials.putObject(token);
            entry.put("id", token);
            entry.putArray("ids").add(ids.get(token));
            entry.putArray("tokens").add(token);
        }
        return processor;
    }

    private static void special(ArrayNode template, String token, int typeId) {
        template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
    }

    private static void sequence(ArrayNode template, String sequenceId, int typeId) {
        template.addObject().putObject("Sequence").put("id", sequenceId).put("type_id", typeId);
    }

    private static ObjectNode model(List<String> vocabulary) {
        ObjectNode model = MAPPER.createObjectNode()
                .put("type", "WordPiece")
                .put("unk_token", UNK)
                .put("continuing_subword_prefix", CONTINUATION_PREFIX)
                .put("max_input_chars_per_word", MAX_INPUT_CHARS_PER_WORD);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < vocabulary.size(); id++) {
            vocab.put(vocabulary.get(id), id);
        }
        return model;
    }
}
