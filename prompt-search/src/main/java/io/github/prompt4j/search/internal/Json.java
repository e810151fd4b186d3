package io.github.prompt4j.search.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The JSON mapper of prompt-search's result values: indented output, unknown properties rejected. Thread-safe. */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    /** Serialises a value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName() + " to JSON", e);
        }
    }

    /**
     * Parses a value.
     *
     * @throws IllegalArgumentException if the text is not a valid JSON form of {@code type}
     */
    public static <T> T read(String json, Class<T> type) {
        if (json == null) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " JSON document: null text");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " JSON document: it is "
                        + "the JSON literal null, expected an object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " JSON document: "
                    + e.getOriginalMessage(), e);
        }
    }
}
