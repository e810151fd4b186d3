package io.github.prompt4j.core.template;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@link Template} bound to a tokenizer and a {@link Truncation}; literal words are tokenised once, at
 * construction. Made by {@link Template#encoder(Tokenizer, Truncation)}.
 *
 * <p>The one step from text to model input: every {@code encode} method returns an {@link EncodedPrompt} that carries
 * everything the template decided (mask, trigger and soft-slot positions, how many field tokens were truncated), so
 * one value flows on to {@code PromptClassifier}, the trainers and the model.
 *
 * <p>Immutable and thread-safe (the tokenizer is).
 */
public final class TemplateEncoder {

    private final Template template;
    private final Tokenizer tokenizer;
    private final int maxLength;
    private final TruncationSide side;
    private final int[][] literalIds;
    private final int fixedLength;
    private final int triggerInitId;
    private final int[] triggerIds;

    TemplateEncoder(Template template, Tokenizer tokenizer, Truncation truncation) {
        if (tokenizer == null || truncation == null) {
            throw new IllegalArgumentException("tokenizer and truncation must not be null");
        }
        int modelMax = tokenizer.maxSequenceLength();
        int max = truncation.maxLength().orElse(modelMax);
        if (max > modelMax) {
            throw new IllegalArgumentException("maxLength " + max + " exceeds the model's limit of " + modelMax
                    + " tokens; use a limit of at most " + modelMax);
        }
        int vocabulary = tokenizer.vocabularySize();
        int[] bound = template.boundTriggerIds();
        if (bound != null) {
            for (int id : bound) {
                if (id >= vocabulary) {
                    throw new IllegalArgumentException("trigger id " + id + " is outside the vocabulary of "
                            + vocabulary + " tokens; bind ids of this model's tokenizer");
                }
            }
        }
        this.triggerInitId = template.triggerInitId().orElse(tokenizer.specialTokens().mask());
        if (triggerInitId >= vocabulary) {
            throw new IllegalArgumentException("trigger init id " + triggerInitId + " is outside the vocabulary of "
                    + vocabulary + " tokens");
        }
        this.triggerIds = bound;
        this.template = template;
        this.tokenizer = tokenizer;
        this.maxLength = max;
        this.side = truncation.side();
        List<Segment> segments = template.segments();
        this.literalIds = new int[segments.size()][];
        int fixed = tokenizer.frameLength();
        for (int s = 0; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            if (seg instanceof Segment.Literal l) {
                String raw = l.text();
                literalIds[s] = encodePiece(raw, Character.isWhitespace(raw.charAt(0)));
                fixed += literalIds[s].length;
            } else if (!(seg instanceof Segment.Field)) {
                fixed++;
            }
        }
        this.fixedLength = fixed;
        if (fixedLength > maxLength) {
            throw new IllegalArgumentException("template '" + template.text() + "' needs " + fixedLength
                    + " tokens without its input fields (template words, triggers, soft slots and masks, plus "
                    + tokenizer.frameLength() + " special tokens) but the limit is " + maxLength
                    + "; shorten the template or raise the limit");
        }
    }

    /** The template. */
    public Template template() {
        return template;
    }

    /** The tokenizer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Length of everything but the input fields, special tokens included. */
    public int fixedLength() {
        return fixedLength;
    }

    /** The length limit, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /** The side truncation cuts. */
    public TruncationSide truncationSide() {
        return side;
    }

    /**
     * Encodes the text of a single-field template.
     *
     * @return the framed prompt, truncated to the limit, with its soft-slot positions and truncation count
     * @throws IllegalArgumentException if the template does not have exactly one field, or the text is null or blank
     */
    public EncodedPrompt encode(String text) {
        if (template.fields().size() != 1) {
            throw new IllegalArgumentException("template '" + template.text() + "' has fields " + template.fields()
                    + "; pass a map of field values instead of a single text");
        }
        String field = template.fields().get(0);
        return encode(Map.of(field, requireText(field, text)));
    }

    /**
     * Encodes one input.
     *
     * @param values a value for every field of the template; extra keys are an error too
     * @return the framed prompt, truncated to the limit, with its soft-slot positions
     *         ({@link EncodedPrompt#softPositions()}) and how many field tokens were cut
     *         ({@link EncodedPrompt#truncatedTokens()})
     * @throws IllegalArgumentException for a missing, unknown, null or blank field, naming it
     */
    public EncodedPrompt encode(Map<String, String> values) {
        return encode(values, false);
    }

    /**
     * Encodes a content-free input for calibration (Zhao et al. 2021): as {@link #encode(Map)}, except that field
     * values may be empty or blank, in which case the field contributes no tokens.
     *
     * @throws IllegalArgumentException for a missing, unknown or null field, naming it
     */
    public EncodedPrompt encodeContentFree(Map<String, String> values) {
        return encode(values, true);
    }

    private EncodedPrompt encode(Map<String, String> values, boolean allowBlank) {
        if (values == null) {
            throw new IllegalArgumentException("field values must not be null; pass e.g. Map.of(\"text\", ...)");
        }
        for (String key : values.keySet()) {
            if (!template.fields().contains(key)) {
                throw new IllegalArgumentException("unknown field '" + key + "': template '" + template.text()
                        + "' has fields " + template.fields() + "; rename or remove it");
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
                String value = allowBlank ? requireNonNull(f.name(), values.get(f.name()))
                        : requireText(f.name(), values.get(f.name()));
                fieldIds[s] = value.isBlank() ? new int[0] : encodePiece(value.strip(), f.spaceBefore());
                total += fieldIds[s].length;
            }
        }
        int cut = Math.max(0, total - maxLength);
        if (cut > 0) {
            truncate(fieldIds, cut);
        }
        return assemble(segments, fieldIds, cut);
    }

    /** Encodes literal text or a field value; see the class comment of {@link Template} on white space. */
    private int[] encodePiece(String text, boolean spaceBefore) {
        if (!tokenizer.spaceSensitive()) {
            return tokenizer.encode(text).ids();
        }
        String stripped = text.strip();
        return tokenizer.encode(spaceBefore ? " " + stripped : stripped).ids();
    }

    private static String requireNonNull(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException("field '" + field + "' is null; pass \"\" for an empty input");
        }
        return value;
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

    /** Cuts {@code excess} tokens from the fields, always from the currently longest one (the earlier on a tie). */
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
            // fixedLength <= maxLength was checked at construction, so the fields can always absorb the excess
            lengths[longest]--;
        }
        for (int s = 0; s < fieldIds.length; s++) {
            if (fieldIds[s] != null && lengths[s] < fieldIds[s].length) {
                int n = fieldIds[s].length;
                fieldIds[s] = side == TruncationSide.TAIL ? Arrays.copyOf(fieldIds[s], lengths[s])
                        : Arrays.copyOfRange(fieldIds[s], n - lengths[s], n);
            }
        }
    }

    private EncodedPrompt assemble(List<Segment> segments, int[][] fieldIds, int cut) {
        int mask = tokenizer.specialTokens().mask();
        int unk = tokenizer.specialTokens().unk();
        int length = 0;
        for (int s = 0; s < segments.size(); s++) {
            length += literalIds[s] != null ? literalIds[s].length : fieldIds[s] != null ? fieldIds[s].length : 1;
        }
        int[] ids = new int[length];
        int[] masks = new int[template.maskCount()];
        int[] triggers = new int[template.triggerCount()];
        int[] softs = new int[template.softCount()];
        int offset = tokenizer.frameOffset();
        int n = 0;
        int m = 0;
        for (int s = 0; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            if (seg instanceof Segment.Literal) {
                System.arraycopy(literalIds[s], 0, ids, n, literalIds[s].length);
                n += literalIds[s].length;
            } else if (seg instanceof Segment.Field) {
                System.arraycopy(fieldIds[s], 0, ids, n, fieldIds[s].length);
                n += fieldIds[s].length;
            } else if (seg instanceof Segment.Mask) {
                masks[m++] = offset + n;
                ids[n++] = mask;
            } else if (seg instanceof Segment.Trigger t) {
                triggers[t.index()] = offset + n;
                ids[n++] = triggerIds == null ? triggerInitId : triggerIds[t.index()];
            } else if (seg instanceof Segment.Soft p) {
                softs[p.index()] = offset + n;
                ids[n++] = unk;
            }
        }
        int[] framed = tokenizer.frame(ids);
        if (framed.length != ids.length + tokenizer.frameLength()) {
            throw new IllegalStateException("tokenizer.frame added " + (framed.length - ids.length)
                    + " tokens but frameLength() says " + tokenizer.frameLength());
        }
        int[] attention = new int[framed.length];
        Arrays.fill(attention, 1);
        return new EncodedPrompt(framed, attention, new int[framed.length], masks, triggers, softs, cut);
    }
}
