package io.github.prompt4j.core.template;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A cloze template: literal words, named input fields {@code {name}}, one or more {@code [MASK]} answer slots,
 * trigger slots {@code [T]} and soft-prompt slots {@code [P]}, e.g. {@code "{text} It was [MASK]."},
 * {@code "{sentence} [T] [T] [T] [MASK] ."} or {@code "{premise} ? [MASK] , {hypothesis}"}.
 *
 * <p>Encoding ({@link #encode(Map, Tokenizer)}, or {@link #encoder(Tokenizer, Truncation)} for repeated use) tokenises
 * every literal and every field value separately with {@link Tokenizer#encode(String)}, concatenates them, writes
 * the tokenizer's mask id for each {@code [MASK]}, and lets {@link Tokenizer#frame(int[])} add the special tokens
 * ({@code [CLS]}/{@code [SEP]}); templates never write special tokens. Positions shift by
 * {@link Tokenizer#frameOffset()}. When the prompt is longer than the limit, only input fields are shortened (see
 * {@link Truncation}).
 *
 * <p>Trigger slots take the ids bound with {@link #withTriggerIds(int...)}; while unbound they hold the trigger
 * initialisation id, the tokenizer's mask id unless {@link #withTriggerInitId(int)} says otherwise (AutoPrompt, Shin
 * et al. 2020, starts its search from {@code [MASK]}). Trigger positions are reported in
 * {@link EncodedPrompt#triggerPositions()}, never among the mask positions. Soft-prompt slots hold the tokenizer's
 * {@code [UNK]} id as a placeholder whose embedding the caller replaces (see {@link SoftPrompt#inputFor} and
 * {@link io.github.prompt4j.core.model.GradientRequest#softVectors()}); their positions are reported in
 * {@link EncodedPrompt#softPositions()}.
 *
 * <p><b>White space.</b> A WordPiece tokenizer (BERT) ignores it. For a space-sensitive vocabulary
 * ({@link Tokenizer#spaceSensitive()}, byte-level BPE where {@code "Ġgood"} differs from {@code "good"}), each
 * literal and field value is stripped and encoded with one leading space when the template has white space right
 * before it, so {@code "{text} It was [MASK]."} encodes {@code " It was"} and {@code "."} as they would appear in the
 * sentence. Field values are always stripped of surrounding white space.
 *
 * <p>Immutable and thread-safe.
 */
public final class Template {

    private final String text;
    private final List<Segment> segments;
    private final List<String> fields;
    private final int maskCount;
    private final int triggerCount;
    private final int softCount;
    private final int[] triggerIds;
    private final int triggerInitId;

    private Template(String text, List<Segment> segments, int[] triggerIds, int triggerInitId) {
        this.text = text;
        this.segments = List.copyOf(segments);
        Set<String> names = new LinkedHashSet<>();
        int masks = 0;
        int triggers = 0;
        int softs = 0;
        for (Segment s : segments) {
            if (s instanceof Segment.Field f) {
                names.add(f.name());
            } else if (s instanceof Segment.Mask) {
                masks++;
            } else if (s instanceof Segment.Trigger) {
                triggers++;
            } else if (s instanceof Segment.Soft) {
                softs++;
            }
        }
        this.fields = List.copyOf(names);
        this.maskCount = masks;
        this.triggerCount = triggers;
        this.softCount = softs;
        this.triggerIds = triggerIds;
        this.triggerInitId = triggerInitId;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the problem and its character position: blank text, no {@code [MASK]},
     *         an unclosed or empty {@code {}}, a field name that is not an identifier, a stray {@code }}, a special
     *         token such as {@code [CLS]}, or an unknown slot such as {@code [MAKS]}
     */
    public static Template parse(String text) {
        return new Template(text, TemplateParser.parse(text), null, -1);
    }

    /** The template text as given. */
    public String text() {
        return text;
    }

    /** Names of the input fields, in order of first appearance; a field may appear more than once. */
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

    /** Number of soft-prompt slots {@code [P]}. */
    public int softCount() {
        return softCount;
    }

    /** The bound trigger token ids, one per {@code [T]} in order, if bound. */
    public Optional<int[]> triggerIds() {
        return triggerIds == null ? Optional.empty() : Optional.of(triggerIds.clone());
    }

    /** The id unbound triggers render as; empty means the tokenizer's mask id. */
    public OptionalInt triggerInitId() {
        return triggerInitId < 0 ? OptionalInt.empty() : OptionalInt.of(triggerInitId);
    }

    /**
     * A copy of this template with its trigger slots bound to token ids (word pieces are allowed, e.g. the result
     * of a trigger search). The ids are checked against the vocabulary when an encoder is made.
     *
     * @throws IllegalArgumentException if the count differs from {@link #triggerCount()} or an id is negative
     */
    public Template withTriggerIds(int... ids) {
        if (ids == null || ids.length != triggerCount) {
            throw new IllegalArgumentException("template '" + text + "' has " + triggerCount + " trigger slots [T] but "
                    + (ids == null ? "null" : ids.length + " trigger ids " + Arrays.toString(ids)) + " were given");
        }
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("trigger id " + id + " is negative; pass vocabulary ids");
            }
        }
        return new Template(text, segments, ids.clone(), triggerInitId);
    }

    /**
     * A copy of this template whose unbound trigger slots render as {@code id} instead of the mask id (e.g. the id of
     * "the"). Bound trigger ids are kept.
     *
     * @throws IllegalArgumentException if id is negative
     */
    public Template withTriggerInitId(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("trigger init id " + id + " is negative; pass a vocabulary id");
        }
        return new Template(text, segments, triggerIds, id);
    }

    /** An encoder bound to a tokenizer, with {@link Truncation#defaults()}. */
    public TemplateEncoder encoder(Tokenizer tokenizer) {
        return encoder(tokenizer, Truncation.defaults());
    }

    /**
     * An encoder bound to a tokenizer and a truncation rule; literal words are tokenised once, here.
     *
     * @throws IllegalArgumentException if the limit exceeds the tokenizer's {@code maxSequenceLength()}, a trigger id
     *         is outside the vocabulary, or the template's fixed part alone is longer than the limit (the message
     *         gives both lengths)
     */
    public TemplateEncoder encoder(Tokenizer tokenizer, Truncation truncation) {
        return new TemplateEncoder(this, tokenizer, truncation);
    }

    /** Encodes one input, field name to value, with {@link Truncation#defaults()}. */
    public EncodedPrompt encode(Map<String, String> values, Tokenizer tokenizer) {
        return encoder(tokenizer).encode(values);
    }

    /** Encodes the text of a single-field template with {@link Truncation#defaults()}. */
    public EncodedPrompt encode(String text, Tokenizer tokenizer) {
        return encoder(tokenizer).encode(text);
    }

    List<Segment> segments() {
        return segments;
    }

    int[] boundTriggerIds() {
        return triggerIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && text.equals(t.text) && Arrays.equals(triggerIds, t.triggerIds)
                && triggerInitId == t.triggerInitId;
    }

    @Override
    public int hashCode() {
        return (text.hashCode() * 31 + Arrays.hashCode(triggerIds)) * 31 + triggerInitId;
    }

    @Override
    public String toString() {
        return triggerIds == null ? text : text + " triggers=" + Arrays.toString(triggerIds);
    }
}
