package io.github.prompt4j.core.template;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cloze template: literal words, named input fields {@code {name}}, one or more {@code [MASK]} answer slots and
 * trigger slots {@code [T]}, e.g. {@code "{text} It was [MASK]."}, {@code "{sentence} [T] [T] [T] [MASK] ."} or
 * {@code "{premise} ? [MASK] , {hypothesis}"}.
 *
 * <p>Encoding ({@link #encode(Map, Tokenizer)}, or {@link #encoder(Tokenizer)} for repeated use) tokenises every
 * literal and every field value separately, concatenates them, and lets the tokenizer add its special tokens
 * ({@code [CLS]}/{@code [SEP]}); templates never write special tokens. Trigger slots take the ids bound with
 * {@link #withTriggerIds(int...)}, or the tokenizer's mask id while unbound (AutoPrompt's initialisation); they are
 * reported as trigger positions, never as mask positions. When the prompt is longer than the limit, input fields are
 * shortened (see {@link Truncation}).
 *
 * <p>Immutable and thread-safe.
 */
public final class Template {

    private final String text;
    private final List<Segment> segments;
    private final List<String> fields;
    private final int maskCount;
    private final int triggerCount;
    private final int[] triggerIds;

    private Template(String text, List<Segment> segments, int[] triggerIds) {
        this.text = text;
        this.segments = List.copyOf(segments);
        Set<String> names = new LinkedHashSet<>();
        int masks = 0;
        int triggers = 0;
        for (Segment s : segments) {
            if (s instanceof Segment.Field f) {
                names.add(f.name());
            } else if (s instanceof Segment.Mask) {
                masks++;
            } else if (s instanceof Segment.Trigger) {
                triggers++;
            }
        }
        this.fields = List.copyOf(names);
        this.maskCount = masks;
        this.triggerCount = triggers;
        this.triggerIds = triggerIds;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the problem and its character position: no {@code [MASK]}, an unclosed
     *         or empty {@code {}}, a field name that is not a Java-like identifier, a stray {@code }}
     */
    public static Template parse(String text) {
        return new Template(text, TemplateParser.parse(text), null);
    }

    /** The template text as given. */
    public String text() {
        return text;
    }

    /** Names of the input fields, in order of first appearance. */
    public List<String> fields() {
        return fields;
    }

    /** Number of {@code [MASK]} slots (at least one). */
    public int maskCount() {
        return maskCount;
    }

    /** Number of trigger slots {@code [T]}. */
    public int triggerCount() {
        return triggerCount;
    }

    /** The bound trigger token ids, if any. */
    public Optional<int[]> triggerIds() {
        return triggerIds == null ? Optional.empty() : Optional.of(triggerIds.clone());
    }

    /**
     * A copy of this template with its trigger slots bound to token ids (word pieces are allowed, e.g. the result
     * of a trigger search).
     *
     * @throws IllegalArgumentException if the count differs from {@link #triggerCount()} or an id is negative
     */
    public Template withTriggerIds(int... ids) {
        if (ids.length != triggerCount) {
            throw new IllegalArgumentException("template '" + text + "' has " + triggerCount + " trigger slots [T] but "
                    + ids.length + " trigger ids were given: " + Arrays.toString(ids));
        }
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("trigger id " + id + " is negative");
            }
        }
        return new Template(text, segments, ids.clone());
    }

    /** An encoder bound to a tokenizer, with the tokenizer's maximum length and {@link Truncation#KEEP_HEAD}. */
    public TemplateEncoder encoder(Tokenizer tokenizer) {
        return new TemplateEncoder(this, tokenizer, tokenizer.maxSequenceLength(), Truncation.KEEP_HEAD);
    }

    /**
     * An encoder bound to a tokenizer with a length limit and truncation side.
     *
     * @param maxLength at most the tokenizer's {@link Tokenizer#maxSequenceLength()}, special tokens included
     */
    public TemplateEncoder encoder(Tokenizer tokenizer, int maxLength, Truncation truncation) {
        return new TemplateEncoder(this, tokenizer, maxLength, truncation);
    }

    /** Encodes one input: field name to value. See {@link TemplateEncoder#encode(Map)}. */
    public EncodedPrompt encode(Map<String, String> values, Tokenizer tokenizer) {
        return encoder(tokenizer).encode(values);
    }

    List<Segment> segments() {
        return segments;
    }

    int[] boundTriggerIds() {
        return triggerIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && text.equals(t.text) && Arrays.equals(triggerIds, t.triggerIds);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Arrays.hashCode(triggerIds);
    }

    @Override
    public String toString() {
        return triggerIds == null ? text : text + " triggers=" + Arrays.toString(triggerIds);
    }
}
