package io.github.prompt4j.search.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Saved results are read whole or not at all: the fuzz findings of issue 18 as named cases. */
class JsonTest {

    record Inner(String name, List<String> words) {
    }

    record Outer(String model, Inner inner, Map<String, Double> metrics, int count) {
    }

    private static final String VALID = "{\"model\":\"m\",\"inner\":{\"name\":\"n\",\"words\":[\"a\"]},"
            + "\"metrics\":{\"acc\":0.5},\"count\":3}";

    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Json.read(json, Outer.class)).getMessage();
    }

    @Test
    void aCompleteDocumentReads() {
        Outer o = Json.read(VALID, Outer.class);
        assertEquals(List.of("a"), o.inner().words());
        assertEquals(3, o.count());
    }

    @Test
    void aTruncatedOrDamagedDocumentIsRefusedNamingWhatIsMissing() {
        // a file cut after a nested object closes the root early: the rest used to be ignored, leaving nulls
        String m = refusal("{\"model\":\"m\",\"metrics\":{\"acc\":0.5}} \"inner\"");
        assertTrue(m.contains("Outer"), m);
        m = refusal("{\"model\":\"m\",\"metrics\":{\"acc\":0.5},\"count\":3}");
        assertTrue(m.contains("field 'inner' is missing or null"), m);
        m = refusal("{\"model\":\"m\",\"inner\":{\"name\":null,\"words\":[]},\"metrics\":{},\"count\":3}");
        assertTrue(m.contains("field 'inner.name'"), m);
        m = refusal("{\"model\":\"m\",\"inner\":{\"name\":\"n\",\"words\":[null]},\"metrics\":{},\"count\":3}");
        assertTrue(m.contains("element 0 of 'inner.words' is null"), m);
        m = refusal("{\"model\":\"m\",\"inner\":{\"name\":\"n\",\"words\":[]},\"metrics\":{\"acc\":null},\"count\":3}");
        assertTrue(m.contains("entry 'acc' of 'metrics' is null"), m);
        assertTrue(refusal("null").contains("JSON literal null"));
        assertTrue(refusal(VALID + VALID).contains("Outer"));
        assertTrue(refusal(null).contains("null text"));
    }
}
