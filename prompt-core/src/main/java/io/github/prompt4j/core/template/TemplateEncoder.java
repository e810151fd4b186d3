package io.github.prompt4j.core.template;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@link Template} bound to a tokenizer, a length limit and a truncation side; literal words are tokenised once.
 *
 * <p>Immutable and thread-safe (the tokenizer is).
 */
public final class TemplateEncoder {

    private final Template template;
    private final Tokenizer tokenizer;
    private final int maxLength;
    private final Truncation truncation;
    private final int[][] literalIds;
    private final int fixedLength;

    TemplateEncoder(Template template, Tokenizer tokenizer, int maxLength, Truncation truncation) {
        if (tokenizer == null || truncation == null) {
            throw new IllegalArgumentException("tokenizer and truncation must not be null");
        }
        if (maxLength <= tokenizer.frameLength() || maxLength > tokenizer.maxSequenceLength()) {
            throw new IllegalArgumentException("maxLength " + maxLength + " must be in (" + tokenizer.frameLength()
                    + ", " + tokenizer.maxSequenceLength() + "], the model's limit");
        }
        int[] bound = template.boundTriggerIds();
        if (bound != null) {
            for (int id : bound) {
                if (id >= tokenizer.vocabularySize()) {
                    throw new IllegalArgumentException("trigger id " + id + " is outside the vocabulary of "
                            + tokenizer.vocabularySize() + " tokens");
                }
            }
        }
        this.template = template;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.truncation = truncation;
        List<Segment> segments = template.segments();
        this.literalIds = new int[segments.size()][];
        int fixed = tokenizer.frameLength();
        for (int s = 0; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            if (seg instanceof Segment.Literal l) {
                literalIds[s] = tokenizer.encode(l.text()).ids();
                fixed += literalIds[s].length;
            } else if (!(seg instanceof Segment.Field)) {
                fixed++;
            }
        }
        this.fixedLength = fixed;
        if (fixedLength > maxLength) {
            throw tooLong();
        }
    }

    /** The template. */
    public Template template() {
        return template;
    }

    /** Length of everything but the input fields, special tokens included. */
    public int fixedLength() {
        return fixedLength;
    }

    /** The length limit, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Encodes a single-field template's input.
     *
     * @throws IllegalArgumentException if the template does not have exactly one field, or the text is null or blank
     */
    public EncodedPrompt encode(String text) {
        if (template.fields().size() != 1) {
            throw new IllegalArgumentException("template '" + template.text() + "' has fields " + template.fields()
                    + "; pass a map of field values instead of a single text");
        }
        return encode(Map.of(template.fields().get(0), requireText(template.fields().get(0), text)));
    }

    /**
     * Encodes one input.
     *
     * @param values a value for every field of the template (extra keys are an error too)
     * @return the framed prompt, truncated to the limit
     * @throws IllegalArgumentException for a missing, unknown, null or blank field, naming it
     */
    public EncodedPrompt encode(Map<String, String> values) {
        if (values == null) {
            throw new IllegalArgumentException("field values must not be null; pass e.g. Map.of(\"text\", ...)");
        }
        for (String key : values.keySet()) {
            if (!template.fields().contains(key)) {
                throw new IllegalArgumentException("unknown field '" + key + "': template '" + template.text()
                        + "' has fields " + template.fields());
            }
        }
        List<Segment> segments = template.segments();
        int[][] fieldIds = new int[segments.size()][];
        int total = fixedLength;
        for (int s = 0; s < segments.size(); s++) {
            if (segments.get(s) instanceof Segment.Field f) {
                if (!values.containsKey(f.name())) {
                    throw new IllegalArgumentException("missing field '" + f.name() + "': template '"
                            + template.text() + "' needs values for " + template.fields());
                }
                fieldIds[s] = tokenizer.encode(requireText(f.name(), values.get(f.name()))).ids();
                total += fieldIds[s].length;
            }
        }
        if (total > maxLength) {
            truncate(fieldIds, total - maxLength);
        }
        return assemble(segments, fieldIds);
    }

    private static String requireText(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException("field '" + field + "' is null; pass the input text");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' is blank; pass non-empty input text");
        }
        return value;
    }

    /** Cuts {@code excess} tokens from the fields, always from the currently longest one. */
    private void truncate(int[][] fieldIds, int excess) {
        int[] lengths = new int[fieldIds.length];
        for (int s = 0; s < fieldIds.length; s++) {
            lengths[s] = fieldIds[s] == null ? -1 : fieldIds[s].length;
        }
        for (int cut = 0; cut < excess; cut++) {
            int longest = -1;
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] > 0 && (longest < 0 || lengths[s] > lengths[longest])) {
                    longest = s;
                }
            }
            if (longest < 0) {
                throw tooLong();
            }
            lengths[longest]--;
        }
        for (int s = 0; s < fieldIds.length; s++) {
            if (fieldIds[s] != null && lengths[s] < fieldIds[s].length) {
                int n = fieldIds[s].length;
                fieldIds[s] = truncation == Truncation.KEEP_HEAD ? Arrays.copyOf(fieldIds[s], lengths[s])
                        : Arrays.copyOfRange(fieldIds[s], n - lengths[s], n);
            }
        }
    }

    private IllegalArgumentException tooLong() {
        return new IllegalArgumentException("template '" + template.text() + "' needs " + fixedLength
                + " tokens without its input fields (special tokens, template words, triggers and masks included) "
                + "but the limit is " + maxLength + "; shorten the template or raise the limit");
    }

    private EncodedPrompt assemble(List<Segment> segments, int[][] fieldIds) {
        int[] bound = template.boundTriggerIds();
        int mask = tokenizer.specialTokens().mask();
        List<Integer> ids = new ArrayList<>();
        List<Integer> masks = new ArrayList<>();
        List<Integer> triggers = new ArrayList<>();
        int offset = tokenizer.frameOffset();
        for (int s = 0; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            if (seg instanceof Segment.Literal) {
                for (int id : literalIds[s]) {
                    ids.add(id);
                }
            } else if (seg instanceof Segment.Field) {
                for (int id : fieldIds[s]) {
                    ids.add(id);
                }
            } else if (seg instanceof Segment.Mask) {
                masks.add(offset + ids.size());
                ids.add(mask);
            } else if (seg instanceof Segment.Trigger t) {
                triggers.add(offset + ids.size());
                ids.add(bound == null ? mask : bound[t.index()]);
            }
        }
        int[] framed = tokenizer.frame(ids.stream().mapToInt(Integer::intValue).toArray());
        return EncodedPrompt.of(framed, masks.stream().mapToInt(Integer::intValue).toArray(),
                triggers.stream().mapToInt(Integer::intValue).toArray());
    }
}
