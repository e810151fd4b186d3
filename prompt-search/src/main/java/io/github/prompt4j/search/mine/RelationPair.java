package io.github.prompt4j.search.mine;

import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import java.util.ArrayList;
import java.util.List;

/**
 * One (subject, object) pair of a relation, e.g. (Dante, Florence) for "place of birth", as the prompt miner looks for
 * it in a corpus.
 *
 * <p>Immutable and thread-safe.
 *
 * @param subject the subject's surface string, not blank
 * @param object the object's surface string, not blank
 */
public record RelationPair(String subject, String object) {

    public RelationPair {
        if (subject == null || subject.isBlank() || object == null || object.isBlank()) {
            throw new IllegalArgumentException("a relation pair needs a non-blank subject and object, got ("
                    + subject + ", " + object + ")");
        }
        subject = subject.strip();
        object = object.strip();
    }

    /**
     * The pairs of LAMA facts (see {@link io.github.prompt4j.search.data.Datasets#lamaFacts}): the subject from field
     * {@link LamaRelation#SUBJECT}, the object from the label; order kept.
     *
     * @throws IllegalArgumentException naming a fact without a {@code sub} field
     */
    public static List<RelationPair> fromFacts(List<Example> facts) {
        List<RelationPair> out = new ArrayList<>(facts.size());
        for (Example f : facts) {
            String subject = f.fields().get(LamaRelation.SUBJECT);
            if (subject == null) {
                throw new IllegalArgumentException("fact " + f.fields() + " has no field '" + LamaRelation.SUBJECT
                        + "'; read facts with Datasets.lamaFacts");
            }
            out.add(new RelationPair(subject, f.label()));
        }
        return out;
    }
}
