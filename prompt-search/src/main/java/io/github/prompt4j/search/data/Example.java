package io.github.prompt4j.search.data;

import io.github.prompt4j.core.template.Template;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One labelled input for prompt search: field values for a template and a gold label (a class name for
 * classification, the answer token for fact retrieval).
 *
 * <p>Immutable and thread-safe.
 *
 * @param fields field name to text, at least one, no blank value
 * @param label the gold label, not blank
 */
public record Example(Map<String, String> fields, String label) {

    public Example {
        if (fields == null || fields.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one field value");
        }
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("example " + fields + " has a blank label");
        }
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue().isBlank()) {
                throw new IllegalArgumentException("field '" + e.getKey() + "' of example with label '" + label
                        + "' is blank");
            }
        }
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A single-field example. */
    public static Example of(String field, String text, String label) {
        return new Example(Map.of(field, text), label);
    }

    /**
     * The values to encode with {@code template}: the fields themselves when their names match the template's, or,
     * when both the example and the template have exactly one field, that value under the template's field name (so
     * a {@code sentence} example fits a {@code {text}} template).
     *
     * @throws IllegalArgumentException if the names do not match and the single-field rule does not apply
     */
    public Map<String, String> valuesFor(Template template) {
        List<String> names = template.fields();
        if (names.size() == fields.size() && fields.keySet().containsAll(names)) {
            return fields;
        }
        if (names.size() == 1 && fields.size() == 1) {
            return Map.of(names.get(0), fields.values().iterator().next());
        }
        throw new IllegalArgumentException("example fields " + fields.keySet() + " do not match the fields "
                + names + " of template '" + template.text() + "'; rename the template fields");
    }
}
