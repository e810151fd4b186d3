package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.label.LearnedHeadStage;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters that turn our parsers' {@link IllegalArgumentException}s into picocli's "Invalid value for
 * option" messages, so a user sees what is wrong and how to write it instead of a stack trace.
 */
final class Converters {

    private Converters() {
    }

    /** {@code --label CLASS=word1,word2}. */
    static final class Label implements ITypeConverter<LabelOption> {
        @Override
        public LabelOption convert(String value) {
            try {
                return LabelOption.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --model NAME|DIR}. */
    static final class Model implements ITypeConverter<ModelSpec> {
        @Override
        public ModelSpec convert(String value) {
            try {
                return ModelSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --template TEXT}, parsed by {@link Template#parse}. */
    static final class TemplateText implements ITypeConverter<Template> {
        @Override
        public Template convert(String value) {
            try {
                return Template.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * An enum option spelled as a constant's name, ignoring case and with {@code -} for {@code _}
     * ({@code left-to-right} is {@code LEFT_TO_RIGHT}).
     */
    private abstract static class ByName<E extends Enum<E>> implements ITypeConverter<E> {
        private final Class<E> type;
        private final String expected;

        /** @param expected the error's end after "'VALUE' is not ", naming the choices */
        ByName(Class<E> type, String expected) {
            this.type = type;
            this.expected = expected;
        }

        @Override
        public E convert(String value) {
            String name = value.strip().replace('-', '_').toUpperCase(Locale.ROOT);
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
            throw new TypeConversionException("'" + value + "' is not " + expected);
        }
    }

    /** {@code --multi-mask parallel|left-to-right}. */
    static final class MultiMask extends ByName<MultiMaskDecoding> {
        MultiMask() {
            super(MultiMaskDecoding.class, "a decoding; use parallel or left-to-right");
        }
    }

    /** {@code --loss label-likelihood|class-cross-entropy}. */
    static final class Loss extends ByName<SearchLoss> {
        Loss() {
            super(SearchLoss.class, "a search loss; use label-likelihood (the paper's) or class-cross-entropy");
        }
    }

    /** {@code --head-states best|shortlist}. */
    static final class HeadStates extends ByName<LearnedHeadStage.States> {
        HeadStates() {
            super(LearnedHeadStage.States.class, "a choice of trigger states; use best or shortlist");
        }
    }

    /** A whole number of at least 1. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (n < 1) {
                throw new TypeConversionException("must be at least 1, got " + n);
            }
            return n;
        }
    }
}
