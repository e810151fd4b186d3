package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.mapping.LabelMapper;

/** The label mappers {@code --mapper} can name (see {@link LabelMapper}). */
enum MapperChoice {
    /** {@link LabelMapper#mean()}. */
    MEAN,
    /** {@link LabelMapper#sum()}. */
    SUM,
    /** {@link LabelMapper#max()}. */
    MAX;

    /** The mapper. */
    LabelMapper mapper() {
        switch (this) {
            case MEAN:
                return LabelMapper.mean();
            case SUM:
                return LabelMapper.sum();
            case MAX:
                return LabelMapper.max();
            default:
                throw new AssertionError(this);
        }
    }
}
