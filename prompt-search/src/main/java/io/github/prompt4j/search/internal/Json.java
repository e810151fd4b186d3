package io.github.prompt4j.search.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/** The JSON mapper of prompt-search's result values: indented output, unknown properties rejected. Thread-safe. */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
     * Parses a value. Besides JSON syntax and the records' own checks, refuses text after the document (a damaged or
     * concatenated file) and a missing or null field anywhere in the record tree, naming the field.
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
            requireComplete(value, "");
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " JSON document: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Refuses nulls in record components, list elements and map values, recursively, naming the path. */
    private static void requireComplete(Object value, String path) {
        if (value instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object v;
                try {
                    Method accessor = c.getAccessor();
                    accessor.setAccessible(true);   // package-private stored forms
                    v = accessor.invoke(r);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + path + c.getName(), e);
                }
                String at = path + c.getName();
                if (v == null) {
                    throw new IllegalArgumentException("not a valid " + r.getClass().getSimpleName()
                            + " JSON document: field '" + at + "' is missing or null");
                }
                requireComplete(v, at + ".");
            }
        } else if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object e : list) {
                if (e == null) {
                    throw new IllegalArgumentException("not a valid JSON document: element " + i + " of '"
                            + path.substring(0, Math.max(0, path.length() - 1)) + "' is null");
                }
                requireComplete(e, path);
                i++;
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("not a valid JSON document: entry '" + e.getKey() + "' of '"
                            + path.substring(0, Math.max(0, path.length() - 1)) + "' is null");
                }
                requireComplete(e.getValue(), path);
            }
        }
    }
}
