package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The two halves of fill-mask: turning a sentence with literal {@code [MASK]}s into a prompt, and picking the most
 * probable tokens at each mask. Stateless.
 */
final class FillMask {

    /** The mask as written in the input text. */
    static final String MASK = "[MASK]";

    private FillMask() {
    }

    /**
     * Encodes text with one or more literal {@code [MASK]}s: the pieces between masks are tokenised separately and
     * joined by the mask id, then framed with the special tokens. Unlike a template, braces and {@code [T]} are
     * plain text here.
     *
     * @throws IllegalArgumentException if the text has no {@code [MASK]}
     */
    static EncodedPrompt encode(Tokenizer tokenizer, String text) {
        if (!text.contains(MASK)) {
            throw new IllegalArgumentException("text '" + text + "' has no " + MASK + "; write e.g. \"The capital of "
                    + "France is [MASK].\"");
        }
        String[] parts = text.split(java.util.regex.Pattern.quote(MASK), -1);
        List<Integer> ids = new ArrayList<>();
        List<Integer> masks = new ArrayList<>();
        for (int p = 0; p < parts.length; p++) {
            if (p > 0) {
                masks.add(ids.size());
                ids.add(tokenizer.specialTokens().mask());
            }
            for (int id : tokenizer.encode(parts[p]).ids()) {
                ids.add(id);
            }
        }
        int[] content = ids.stream().mapToInt(Integer::intValue).toArray();
        int[] positions = new int[masks.size()];
        for (int m = 0; m < positions.length; m++) {
            positions[m] = tokenizer.frameOffset() + masks.get(m);
        }
        return EncodedPrompt.of(tokenizer.frame(content), positions, new int[0]);
    }

    /**
     * The {@code k} most probable tokens at each mask of one prompt, most probable first (ties by lower id).
     *
     * @param logits full-vocabulary logits (columns are token ids {@code 0..V-1})
     * @return one list per mask, each of {@code min(k, V)} entries
     */
    static List<List<TokenProbability>> top(MaskLogits logits, int prompt, Tokenizer tokenizer, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        int[] ids = logits.tokenIds();
        Comparator<int[]> worstFirst = Comparator.<int[]>comparingDouble(e -> Float.intBitsToFloat(e[1]))
                .thenComparing(e -> -e[0]);
        List<List<TokenProbability>> out = new ArrayList<>();
        for (int m = 0; m < logits.maskCount(prompt); m++) {
            PriorityQueue<int[]> heap = new PriorityQueue<>(worstFirst);
            for (int c = 0; c < ids.length; c++) {
                heap.add(new int[] {c, Float.floatToIntBits(logits.logit(prompt, m, c))});
                if (heap.size() > k) {
                    heap.poll();
                }
            }
            List<TokenProbability> best = new ArrayList<>(heap.size());
            while (!heap.isEmpty()) {
                int column = heap.poll()[0];
                best.add(0, new TokenProbability(ids[column], tokenizer.idToToken(ids[column]),
                        Math.exp(logits.logProb(prompt, m, column))));
            }
            out.add(best);
        }
        return out;
    }
}
