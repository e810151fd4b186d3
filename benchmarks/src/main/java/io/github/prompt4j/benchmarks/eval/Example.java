package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.template.Template;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One labelled input of a dataset: its text columns and its gold label.
 *
 * <p>Immutable.
 *
 * @param fields column name to text, in column order, at least one
 * @param label the gold class label as written in the file
 */
record Example(Map<String, String> fields, String label) {

    Example {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one text column");
        }
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("an example needs a label");
        }
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Whitespace-separated words over all text columns (SST-2: phrase fragments have few, sentences many). */
    int words() {
        int n = 0;
        for (String text : fields.values()) {
            String t = text.strip();
            n += t.isEmpty() ? 0 : t.split("\\s+").length;
        }
        return n;
    }

    /**
     * The field values a template needs: by column name; a single-field template takes the only text column whatever
     * the names (so {@code {text}} works on GLUE's {@code sentence} column).
     *
     * @throws IllegalArgumentException naming the template's fields and the data's columns when they do not match
     */
    Map<String, String> valuesFor(Template template) {
        return valuesFor(fields, template);
    }

    /**
     * {@link #valuesFor(Template)} for text columns without a label (unlabelled data, whose gold labels are dropped on
     * reading).
     */
    static Map<String, String> valuesFor(Map<String, String> fields, Template template) {
        if (fields.keySet().containsAll(template.fields())) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String f : template.fields()) {
                values.put(f, fields.get(f));
            }
            return values;
        }
        if (template.fields().size() == 1 && fields.size() == 1) {
            return Map.of(template.fields().get(0), fields.values().iterator().next());
        }
        throw new IllegalArgumentException("template '" + template.text() + "' has fields " + template.fields()
                + " but the data has text columns " + fields.keySet() + "; name each field after a column, e.g. {"
                + fields.keySet().iterator().next() + "}");
    }
}
