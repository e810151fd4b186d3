package io.github.prompt4j.onnx.internal.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SpecialTokens;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the Java side needs from a {@code tokenizer.json}: the WordPiece vocabulary both ways, the BERT special
 * token ids and, when the normalizer is a {@code BertNormalizer}, its lower-case flag.
 *
 * <p>Immutable (the arrays and maps are never handed out mutably outside this package) and thread-safe.
 */
final class TokenizerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final SpecialTokens specialTokens;
    private final Optional<Boolean> lowerCase;

    private TokenizerJson(String[] tokens, Map<String, Integer> ids, SpecialTokens specialTokens,
            Optional<Boolean> lowerCase) {
        this.tokens = tokens;
        this.ids = ids;
        this.specialTokens = specialTokens;
        this.lowerCase = lowerCase;
    }

    /**
     * Reads the parts of a {@code tokenizer.json} the Java side uses.
     *
     * @param text the JSON text
     * @param source where it came from, for messages
     * @throws ModelLoadException if the text is not JSON, has no WordPiece {@code model.vocab}, its ids are not
     *     exactly {@code 0..size-1}, its {@code model.unk_token} is not in the vocabulary, or a BERT special token
     *     is missing
     */
    static TokenizerJson parse(String text, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException("tokenizer " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode model = root == null ? null : root.get("model");
        if (model == null || !"WordPiece".equals(model.path("type").asText())) {
            throw new ModelLoadException("tokenizer " + source + " has no WordPiece model (model.type is '"
                    + (model == null ? "absent" : model.path("type").asText()) + "'); a BERT tokenizer.json is needed");
        }
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new ModelLoadException("tokenizer " + source + " has no model.vocab object");
        }
        String[] tokens = new String[vocab.size()];
        Map<String, Integer> ids = new HashMap<>(vocab.size() * 2);
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            JsonNode idNode = entry.getValue();
            int id = idNode.canConvertToInt() && idNode.isIntegralNumber() ? idNode.intValue() : -1;
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new ModelLoadException("tokenizer " + source + " model.vocab maps '" + entry.getKey() + "' to "
                        + idNode + "; ids must be 0.." + (tokens.length - 1) + ", each used once");
            }
            tokens[id] = entry.getKey();
            ids.put(entry.getKey(), id);
        }
        JsonNode unk = model.get("unk_token");
        if (unk != null && !unk.isNull() && !ids.containsKey(unk.asText())) {
            // the native WordPiece model would fail on the first unknown word, not at load
            throw new ModelLoadException("tokenizer " + source + " model.unk_token '" + unk.asText()
                    + "' is not in model.vocab; it must name the vocabulary's unknown token, e.g. [UNK]");
        }
        SpecialTokens special = new SpecialTokens(
                special(ids, "[CLS]", source), special(ids, "[SEP]", source), special(ids, "[PAD]", source),
                special(ids, "[MASK]", source), special(ids, "[UNK]", source));
        JsonNode normalizer = root.path("normalizer");
        Optional<Boolean> lowerCase = "BertNormalizer".equals(normalizer.path("type").asText())
                && normalizer.path("lowercase").isBoolean()
                ? Optional.of(normalizer.get("lowercase").booleanValue())
                : Optional.empty();
        return new TokenizerJson(tokens, Map.copyOf(ids), special, lowerCase);
    }

    private static int special(Map<String, Integer> ids, String token, String source) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new ModelLoadException("tokenizer " + source + " vocabulary lacks the BERT special token " + token);
        }
        return id;
    }

    /** Vocabulary by id; callers must not modify it. */
    String[] tokens() {
        return tokens;
    }

    /** Ids by token (unmodifiable). */
    Map<String, Integer> ids() {
        return ids;
    }

    SpecialTokens specialTokens() {
        return specialTokens;
    }

    /** The BertNormalizer's lowercase flag, if the normalizer is a BertNormalizer. */
    Optional<Boolean> lowerCase() {
        return lowerCase;
    }
}
