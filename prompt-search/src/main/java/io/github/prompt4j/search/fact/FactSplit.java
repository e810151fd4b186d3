package io.github.prompt4j.search.fact;

import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The facts of one relation, split so that nothing reported is ever seen by a search: {@code search} facts for
 * gradients and candidate scoring, a {@code selection} slice carved from the training facts for every choice a search
 * makes (which step's prompt to keep, early stopping), and the {@code reported} facts, scored once at the end.
 *
 * <p>Built by {@link #carve}: facts whose object is not a candidate are dropped from both files (LAMA ranks over a
 * common vocabulary); a training fact is dropped when its subject is the subject of a reported fact (same subject
 * means the same or a related answer in T-REx), so the search and selection facts share no subject with the
 * reported ones; a training fact listed more than once is kept once, so search and selection share no fact.
 *
 * <p>Immutable and thread-safe.
 *
 * @param search the facts a search trains on
 * @param selection the facts a search selects on, disjoint from {@code search}
 * @param reported the facts to report, in file order
 */
public record FactSplit(List<Example> search, List<Example> selection, List<Example> reported) {

    public FactSplit {
        search = List.copyOf(search);
        selection = List.copyOf(selection);
        reported = List.copyOf(reported);
    }

    /**
     * Splits a relation's training and dev facts.
     *
     * @param train the training file's facts
     * @param dev the dev file's facts (the reported set, after the candidate filter)
     * @param candidate whether an object is a candidate answer (in the common vocabulary and a single token)
     * @param trainLimit at most this many training facts in {@code search + selection} (a seeded random subset)
     * @param selectionFraction the share of those kept for selection, in {@code (0, 1)}; at least one fact
     * @param seed seed of the subset and of the order
     * @throws IllegalArgumentException for no candidate dev fact, fewer than two usable training facts, or a bad
     *         fraction or limit
     */
    public static FactSplit carve(List<Example> train, List<Example> dev, Predicate<String> candidate,
            int trainLimit, double selectionFraction, long seed) {
        if (!(selectionFraction > 0 && selectionFraction < 1)) {
            throw new IllegalArgumentException("selectionFraction must be in (0, 1), got " + selectionFraction);
        }
        if (trainLimit < 2) {
            throw new IllegalArgumentException("trainLimit must be at least 2 (search and selection facts), got "
                    + trainLimit);
        }
        List<Example> reported = dev.stream().filter(f -> candidate.test(f.label())).toList();
        if (reported.isEmpty()) {
            throw new IllegalArgumentException("none of the " + dev.size() + " dev facts has a candidate object; "
                    + "check the vocabulary file");
        }
        Set<String> reportedSubjects = new HashSet<>();
        reported.forEach(f -> reportedSubjects.add(subject(f)));
        // a fact listed twice in the training file is kept once, so search and selection are disjoint by value
        Set<Example> distinct = new LinkedHashSet<>();
        for (Example f : train) {
            if (candidate.test(f.label()) && !reportedSubjects.contains(subject(f))) {
                distinct.add(f);
            }
        }
        List<Example> usable = new ArrayList<>(distinct);
        if (usable.size() < 2) {
            throw new IllegalArgumentException("only " + usable.size() + " training facts have a candidate object "
                    + "and a subject outside the dev facts; a search needs at least 2");
        }
        Collections.shuffle(usable, new Random(seed));
        List<Example> kept = usable.subList(0, Math.min(trainLimit, usable.size()));
        int held = Math.max(1, (int) Math.round(kept.size() * selectionFraction));
        held = Math.min(held, kept.size() - 1);
        return new FactSplit(kept.subList(held, kept.size()), kept.subList(0, held), reported);
    }

    /** The subject of a fact: its only field's value (LAMA facts have one field, the subject). */
    static String subject(Example fact) {
        return String.join("\u0000", fact.fields().values());
    }
}
