package io.github.prompt4j.search.protocol;

import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Training data split in two: the examples a search learns from ({@link #search()}) and a selection split
 * ({@link #selection()}) on which every choice of the search is made, carved from the same training data with a seed.
 *
 * <p>The two parts are disjoint by value: a training example equal to a selection example (same fields and label;
 * SST-2's training file repeats some phrases) is dropped from the search part, so no search batch ever holds a
 * selection example.
 *
 * <p>Immutable and thread-safe.
 *
 * @param search the examples left for the search, in their original order
 * @param selection the selection split, in the order drawn
 * @param selectionIndices the position of each selection example in the list it was carved from
 * @param seed the seed of the draw
 * @param sourceSize how many examples the split was carved from
 */
public record SelectionSplit(List<Example> search, List<Example> selection, int[] selectionIndices, long seed,
        int sourceSize) {

    public SelectionSplit {
        search = List.copyOf(search);
        selection = List.copyOf(selection);
        selectionIndices = selectionIndices.clone();
        if (selection.size() != selectionIndices.length) {
            throw new IllegalArgumentException(selection.size() + " selection examples but "
                    + selectionIndices.length + " indices");
        }
        Set<Example> chosen = new HashSet<>(selection);
        for (Example e : search) {
            if (chosen.contains(e)) {
                throw new IllegalArgumentException("example " + e.fields() + " (label '" + e.label()
                        + "') is in both the search part and the selection split; carve with SelectionSplit.carve");
            }
        }
    }

    @Override
    public int[] selectionIndices() {
        return selectionIndices.clone();
    }

    /**
     * Draws {@code size} examples of {@code training} (a seeded shuffle) as the selection split; the rest, less any
     * example equal to a drawn one, is the search part.
     *
     * @throws IllegalArgumentException if {@code size} is not positive or leaves no example to search on
     */
    public static SelectionSplit carve(List<Example> training, int size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("the selection split needs at least one example, got " + size);
        }
        if (size >= training.size()) {
            throw new IllegalArgumentException("a selection split of " + size + " examples leaves none of the "
                    + training.size() + " training examples to search on; choose fewer");
        }
        List<Integer> order = new ArrayList<>(training.size());
        for (int i = 0; i < training.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int[] indices = order.subList(0, size).stream().mapToInt(Integer::intValue).toArray();
        List<Example> selection = new ArrayList<>(size);
        for (int i : indices) {
            selection.add(training.get(i));
        }
        Set<Example> chosen = new HashSet<>(selection);
        boolean[] taken = new boolean[training.size()];
        for (int i : indices) {
            taken[i] = true;
        }
        List<Example> search = new ArrayList<>(training.size() - size);
        for (int i = 0; i < training.size(); i++) {
            if (!taken[i] && !chosen.contains(training.get(i))) {
                search.add(training.get(i));
            }
        }
        if (search.isEmpty()) {
            throw new IllegalArgumentException("every training example equals a selection example; nothing is left "
                    + "to search on");
        }
        return new SelectionSplit(search, selection, indices, seed, training.size());
    }

    /** The selection indices in increasing order, for reports. */
    public int[] sortedSelectionIndices() {
        int[] s = selectionIndices.clone();
        Arrays.sort(s);
        return s;
    }
}
