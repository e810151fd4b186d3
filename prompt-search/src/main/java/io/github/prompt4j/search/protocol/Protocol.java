package io.github.prompt4j.search.protocol;

import java.util.List;

/**
 * How a saved prompt was found and measured: the data used for searching, for selecting and for reporting, so a
 * reader can check that no reported example took part in a choice.
 *
 * <p>Immutable; serialises to JSON inside a saved result.
 *
 * @param description one line, e.g. "search and selection on disjoint training splits; dev scored once at the end"
 * @param data each data set and its role
 */
public record Protocol(String description, List<DataUse> data) {

    public Protocol {
        if (description == null || data == null) {
            throw new IllegalArgumentException("description and data must be set");
        }
        data = List.copyOf(data);
    }

    /** The protocol of a result saved without one (older files): unknown. */
    public static Protocol unrecorded() {
        return new Protocol("not recorded", List.of());
    }

    /** Whether this protocol says anything. */
    public boolean recorded() {
        return !data.isEmpty();
    }

    /** The honest protocol: search and selection on disjoint training splits, the reported data scored once. */
    public static Protocol honest(List<DataUse> data) {
        return new Protocol("every choice made on a selection split carved from the training data, disjoint from "
                + "the search examples; the reported data scored once, after every choice", data);
    }
}
