package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.search.trigger.SearchLoss;
import io.github.prompt4j.core.template.Template;
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

    /** {@code --multi-mask parallel|left-to-right} (case and {@code -}/{@code _} do not matter). */
    static final class MultiMask implements ITypeConverter<MultiMaskDecoding> {
        @Override
        public MultiMaskDecoding convert(String value) {
            String name = value.strip().replace('-', '_').toUpperCase(Locale.ROOT);
            for (MultiMaskDecoding d : MultiMaskDecoding.values()) {
                if (d.name().equals(name)) {
                    return d;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a decoding; use parallel or left-to-right");
        }
    }

    /** {@code --loss label-likelihood|class-cross-entropy} (case and {@code -}/{@code _} do not matter). */
    static final class Loss implements ITypeConverter<SearchLoss> {
        @Override
        public SearchLoss convert(String value) {
            String name = value.strip().replace('-', '_').toUpperCase(Locale.ROOT);
            for (SearchLoss l : SearchLoss.values()) {
                if (l.name().equals(name)) {
                    return l;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a search loss; use label-likelihood (the "
                    + "paper's) or class-cross-entropy");
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
