package io.github.prompt4j.core.verbalizer;

import java.util.Arrays;
import java.util.List;

/**
 * A label word resolved against a tokenizer: its class, its spelling and its word-piece ids.
 *
 * @param label the class it speaks for
 * @param word the word as the user wrote it
 * @param pieceIds its word-piece ids, at least one
 * @param pieces the word pieces, for messages
 */
public record LabelWord(String label, String word, int[] pieceIds, List<String> pieces) {

    public LabelWord {
        if (pieceIds.length == 0 || pieceIds.length != pieces.size()) {
            throw new IllegalArgumentException("label word '" + word + "' needs one id per piece, got "
                    + Arrays.toString(pieceIds) + " for " + pieces);
        }
        pieceIds = pieceIds.clone();
        pieces = List.copyOf(pieces);
    }

    @Override
    public int[] pieceIds() {
        return pieceIds.clone();
    }

    /** Whether the word is a single word piece. */
    public boolean singlePiece() {
        return pieceIds.length == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelWord w && label.equals(w.label) && word.equals(w.word)
                && Arrays.equals(pieceIds, w.pieceIds);
    }

    @Override
    public int hashCode() {
        return (label.hashCode() * 31 + word.hashCode()) * 31 + Arrays.hashCode(pieceIds);
    }
}
