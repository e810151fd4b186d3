package io.github.prompt4j.core.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.testing.FuzzContract;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes {@link Template#parse} and encoding. Input: template text, then optionally a NUL byte and the value every
 * field gets. Contract: parse either returns a template with at least one {@code [MASK]} and distinct field names, or
 * throws {@link IllegalArgumentException} with a message; encoding a parsed template either gives a prompt no longer
 * than the limit whose mask positions hold the mask id, or throws {@link IllegalArgumentException} with a message.
 * Regression inputs: {@code src/test/resources/.../TemplateFuzzTestInputs/}.
 */
class TemplateFuzzTest {

    private static final FakeTokenizer TOKENIZER = new FakeTokenizer(true, 24);

    @FuzzTest(maxDuration = "2m")
    void parseAndEncode(byte[] data) {
        String input = FuzzContract.text(data);
        int nul = input.indexOf('\0');
        String text = nul < 0 ? input : input.substring(0, nul);
        String value = nul < 0 ? "a good movie" : input.substring(nul + 1);
        Template[] parsed = new Template[1];
        if (!FuzzContract.holds(() -> parsed[0] = Template.parse(text), IllegalArgumentException.class)) {
            return;
        }
        Template t = parsed[0];
        assertTrue(t.maskCount() >= 1, text);
        assertEquals(t.fields().size(), new HashSet<>(t.fields()).size(), "field names are distinct: " + t.fields());
        assertEquals(text, t.text());
        Map<String, String> values = new LinkedHashMap<>();
        t.fields().forEach(f -> values.put(f, value));
        FuzzContract.holds(() -> {
            EncodedPrompt p = t.encoder(TOKENIZER).encode(values);
            assertTrue(p.length() <= TOKENIZER.maxSequenceLength(), "length " + p.length());
            for (int m : p.maskPositions()) {
                assertEquals(TOKENIZER.specialTokens().mask(), p.ids()[m], "mask position " + m);
            }
        }, IllegalArgumentException.class);
        FuzzContract.holds(() -> t.encoder(TOKENIZER).encodeContentFree(values), IllegalArgumentException.class);
    }
}
