package io.github.prompt4j.onnx.internal.tokenizer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.core.testing.FuzzContract;

/**
 * Fuzzes {@code tokenizer.json}: prompt4j's own reading of the WordPiece vocabulary and special tokens
 * ({@link TokenizerJson}) and, for files that pass it, DJL's native HuggingFace tokenizer built from the same text,
 * encoding two sentences. Contract: either a tokenizer comes back whose ids all lie in its vocabulary, or
 * {@link ModelLoadException} with a message naming the source; no other exception, no crash of the native side.
 */
class TokenizerJsonFuzzTest {

    @FuzzTest(maxDuration = "90s")
    void parseAndEncode(byte[] data) {
        String text = FuzzContract.text(data);
        FuzzContract.holdsNaming("tokenizer.json", () -> TokenizerJson.parse(text, "tokenizer.json"),
                ModelLoadException.class);
        FuzzContract.holdsNaming("<string>", () -> {
            boolean lowerCase = TokenizerJson.parse(text, "<string>").lowerCase().orElse(true);
            try (DjlTokenizer tokenizer = DjlTokenizer.fromJson(text, 16, lowerCase)) {
                for (String sentence : new String[] {"Hello, world!", "[MASK] caf\u00e9 \u4f60\u597d"}) {
                    TokenEncoding e = tokenizer.encode(sentence);
                    for (int id : e.ids()) {
                        assertTrue(id >= 0 && id < tokenizer.vocabularySize(), "id " + id);
                    }
                }
            }
        }, ModelLoadException.class);
    }
}
