package io.github.prompt4j.core.classify;

import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores label words of several pieces with one mask per piece: the prompt's single {@code [MASK]} is widened to
 * {@code k} consecutive masks for the words of {@code k} pieces, words are grouped by {@code k}, and each group is
 * decoded as {@link MultiMaskDecoding} says. The piece log-probabilities are then combined by the verbalizer's
 * policy.
 *
 * <p>Prompts are encoded with a limit lowered by {@code kmax - 1} tokens ({@code kmax} the most pieces of any label
 * word), so every widened prompt still fits the configured limit. Immutable and thread-safe (the model is).
 */
final class MultiMaskScorer {

    private final MaskedLanguageModel model;
    private final Verbalizer verbalizer;
    private final List<LabelWord> labelWords;
    private final MultiMaskDecoding decoding;
    private final int batchSize;
    private final int limit;
    private final int maskId;
    private final TemplateEncoder encoder;
    /** Piece count to the indices (in {@code labelWords}) of the words of that many pieces, ascending counts. */
    private final Map<Integer, int[]> byLength;
    private final int maxPieces;

    private MultiMaskScorer(MaskedLanguageModel model, Verbalizer verbalizer, List<LabelWord> labelWords,
            MultiMaskDecoding decoding, int batchSize, int limit, TemplateEncoder encoder,
            Map<Integer, int[]> byLength, int maxPieces) {
        this.model = model;
        this.verbalizer = verbalizer;
        this.labelWords = labelWords;
        this.decoding = decoding;
        this.batchSize = batchSize;
        this.limit = limit;
        this.maskId = model.tokenizer().specialTokens().mask();
        this.encoder = encoder;
        this.byLength = byLength;
        this.maxPieces = maxPieces;
    }

    /**
     * A scorer for the label words, checking that the template has one mask and room for the longest word.
     *
     * @param full the encoder with the configured limit
     * @throws IllegalArgumentException for a template with several masks, or a word with more pieces than the
     *         limit leaves room for
     */
    static MultiMaskScorer create(MaskedLanguageModel model, TemplateEncoder full, Verbalizer verbalizer,
            List<LabelWord> labelWords, MultiMaskDecoding decoding, int batchSize) {
        String policy = "MultiTokenPolicy." + verbalizer.policy();
        if (full.template().maskCount() != 1) {
            throw new IllegalArgumentException("template '" + full.template().text() + "' has "
                    + full.template().maskCount() + " [MASK] slots, but " + policy + " widens a single [MASK] to "
                    + "one mask per label-word piece; use a template with exactly one [MASK]");
        }
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        LabelWord longest = labelWords.get(0);
        for (int w = 0; w < labelWords.size(); w++) {
            LabelWord word = labelWords.get(w);
            groups.computeIfAbsent(word.pieces().size(), k -> new ArrayList<>()).add(w);
            if (word.pieces().size() > longest.pieces().size()) {
                longest = word;
            }
        }
        int maxPieces = longest.pieces().size();
        int room = full.maxLength() - full.fixedLength() + 1;
        if (maxPieces > room) {
            throw new IllegalArgumentException("label word '" + longest.word() + "' of class '" + longest.label()
                    + "' is " + maxPieces + " word pieces " + longest.pieces() + " and needs as many masks under "
                    + policy + ", but template '" + full.template().text() + "' takes " + full.fixedLength()
                    + " of the " + full.maxLength() + "-token limit, leaving room for " + room + " masks; use a "
                    + "shorter word, a shorter template or a higher limit");
        }
        TemplateEncoder encoder = maxPieces == 1 ? full : full.template().encoder(full.tokenizer(),
                Truncation.of(full.maxLength() - (maxPieces - 1), full.truncationSide()));
        Map<Integer, int[]> byLength = new LinkedHashMap<>();
        groups.forEach((k, words) -> byLength.put(k, words.stream().mapToInt(Integer::intValue).toArray()));
        return new MultiMaskScorer(model, verbalizer, labelWords, decoding, batchSize, full.maxLength(), encoder,
                byLength, maxPieces);
    }

    /** The encoder for inputs: the configured limit lowered by {@code maxPieces() - 1}. */
    TemplateEncoder encoder() {
        return encoder;
    }

    /** The most pieces of any label word. */
    int maxPieces() {
        return maxPieces;
    }

    /**
     * The label words' scores for each prompt, in input order.
     *
     * @throws IllegalArgumentException for a prompt without exactly one mask, or one too long to widen within the
     *         limit
     */
    List<LabelWordScores> score(List<EncodedPrompt> prompts) {
        for (int i = 0; i < prompts.size(); i++) {
            EncodedPrompt p = prompts.get(i);
            if (p.maskCount() != 1) {
                throw new IllegalArgumentException("prompt " + i + " has " + p.maskCount() + " masks; multi-mask "
                        + "scoring widens exactly one mask, so encode it with a one-[MASK] template");
            }
            if (p.length() + maxPieces - 1 > limit) {
                throw new IllegalArgumentException("prompt " + i + " has " + p.length() + " tokens; widening its "
                        + "mask to " + maxPieces + " masks would exceed the limit of " + limit + " tokens; encode "
                        + "inputs with this classifier's encoder(), which leaves that room");
            }
        }
        // pieceLogProbs[input][word][piece]
        double[][][] pieceLogProbs = new double[prompts.size()][labelWords.size()][];
        byLength.forEach((k, words) -> {
            List<EncodedPrompt> widened = new ArrayList<>(prompts.size());
            for (EncodedPrompt p : prompts) {
                widened.add(widen(p, k));
            }
            if (decoding == MultiMaskDecoding.PARALLEL || k == 1) {
                parallel(widened, k, words, pieceLogProbs);
            } else {
                leftToRight(widened, k, words, pieceLogProbs);
            }
        });
        List<String> labels = verbalizer.labels();
        List<List<String>> words = new ArrayList<>();
        List<LabelWordScores> out = new ArrayList<>(prompts.size());
        for (String label : labels) {
            words.add(verbalizer.words().get(label));
        }
        for (double[][] input : pieceLogProbs) {
            double[][] logProbs = new double[labels.size()][];
            int w = 0;
            for (int c = 0; c < labels.size(); c++) {
                logProbs[c] = new double[words.get(c).size()];
                for (int j = 0; j < logProbs[c].length; j++, w++) {
                    logProbs[c][j] = verbalizer.policy().combine(input[w]);
                }
            }
            out.add(new LabelWordScores(labels, words, logProbs));
        }
        return out;
    }

    /** All {@code k} masks at once: piece {@code i} of each word is read at mask {@code i}. */
    private void parallel(List<EncodedPrompt> widened, int k, int[] words, double[][][] out) {
        Map<Integer, Integer> column = new LinkedHashMap<>();
        int[][] columns = new int[words.length][k];
        for (int w = 0; w < words.length; w++) {
            int[] ids = labelWords.get(words[w]).pieceIds();
            for (int i = 0; i < k; i++) {
                columns[w][i] = column.computeIfAbsent(ids[i], id -> column.size());
            }
        }
        int[] scored = column.keySet().stream().mapToInt(Integer::intValue).toArray();
        for (int from = 0; from < widened.size(); from += batchSize) {
            List<EncodedPrompt> batch = widened.subList(from, Math.min(widened.size(), from + batchSize));
            MaskLogits logits = model.maskLogits(batch, scored);
            for (int p = 0; p < batch.size(); p++) {
                for (int w = 0; w < words.length; w++) {
                    double[] pieces = new double[k];
                    for (int i = 0; i < k; i++) {
                        pieces[i] = logits.logProb(p, i, columns[w][i]);
                    }
                    out[from + p][words[w]] = pieces;
                }
            }
        }
    }

    /**
     * Round {@code i} (0-based) fills the first {@code i} masks with each distinct prefix of the words and reads
     * piece {@code i} at mask {@code i}, the later masks still masked: the chain rule, one round per piece.
     */
    private void leftToRight(List<EncodedPrompt> widened, int k, int[] words, double[][][] out) {
        for (int w : words) {
            for (double[][] input : out) {
                input[w] = new double[k];
            }
        }
        for (int round = 0; round < k; round++) {
            // Distinct prefixes t_1..t_round, and the columns of the pieces read this round.
            Map<List<Integer>, Integer> prefixes = new LinkedHashMap<>();
            Map<Integer, Integer> column = new LinkedHashMap<>();
            int[] prefixOf = new int[words.length];
            int[] columnOf = new int[words.length];
            for (int w = 0; w < words.length; w++) {
                int[] ids = labelWords.get(words[w]).pieceIds();
                List<Integer> prefix = Arrays.stream(ids, 0, round).boxed().toList();
                prefixOf[w] = prefixes.computeIfAbsent(prefix, q -> prefixes.size());
                columnOf[w] = column.computeIfAbsent(ids[round], id -> column.size());
            }
            int[] scored = column.keySet().stream().mapToInt(Integer::intValue).toArray();
            int q = prefixes.size();
            List<EncodedPrompt> filled = new ArrayList<>(widened.size() * q);
            for (EncodedPrompt p : widened) {
                int start = p.maskPositions()[0];
                for (List<Integer> prefix : prefixes.keySet()) {
                    int[] ids = p.ids();
                    for (int i = 0; i < round; i++) {
                        ids[start + i] = prefix.get(i);
                    }
                    filled.add(new EncodedPrompt(ids, p.attentionMask(), p.tokenTypes(), new int[] {start + round},
                            p.triggerPositions(), p.softPositions(), p.truncatedTokens()));
                }
            }
            for (int from = 0; from < filled.size(); from += batchSize) {
                List<EncodedPrompt> batch = filled.subList(from, Math.min(filled.size(), from + batchSize));
                MaskLogits logits = model.maskLogits(batch, scored);
                for (int b = 0; b < batch.size(); b++) {
                    int input = (from + b) / q;
                    int prefix = (from + b) % q;
                    for (int w = 0; w < words.length; w++) {
                        if (prefixOf[w] == prefix) {
                            out[input][words[w]][round] = logits.logProb(b, 0, columnOf[w]);
                        }
                    }
                }
            }
        }
    }

    /**
     * The prompt with its mask repeated {@code k} times in place; later trigger and soft-slot positions shift by
     * {@code k - 1}.
     */
    private EncodedPrompt widen(EncodedPrompt p, int k) {
        if (k == 1) {
            return p;
        }
        int extra = k - 1;
        int m = p.maskPositions()[0];
        int n = p.length();
        int[] ids = p.ids();
        int[] attention = p.attentionMask();
        int[] types = p.tokenTypes();
        int[] newIds = new int[n + extra];
        int[] newAttention = new int[n + extra];
        int[] newTypes = new int[n + extra];
        for (int i = 0, j = 0; i < n; i++, j++) {
            newIds[j] = ids[i];
            newAttention[j] = attention[i];
            newTypes[j] = types[i];
            if (i == m) {
                for (int e = 0; e < extra; e++) {
                    j++;
                    newIds[j] = maskId;
                    newAttention[j] = attention[i];
                    newTypes[j] = types[i];
                }
            }
        }
        int[] masks = new int[k];
        for (int i = 0; i < k; i++) {
            masks[i] = m + i;
        }
        return new EncodedPrompt(newIds, newAttention, newTypes, masks, shifted(p.triggerPositions(), m, extra),
                shifted(p.softPositions(), m, extra), p.truncatedTokens());
    }

    /** The positions, those after {@code mask} moved {@code extra} places on (in place). */
    private static int[] shifted(int[] positions, int mask, int extra) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] > mask) {
                positions[i] += extra;
            }
        }
        return positions;
    }
}
