package io.github.prompt4j.core.mapping;

import java.util.Map;

/** The built-in {@link LabelMapper}s; log-space arithmetic. */
final class Mappers {

    static final LabelMapper MEAN = new Reduce(Kind.MEAN);
    static final LabelMapper SUM = new Reduce(Kind.SUM);
    static final LabelMapper MAX = new Reduce(Kind.MAX);

    private Mappers() {
    }

    private enum Kind { MEAN, SUM, MAX }

    /** Mean, sum or max of each class's word probabilities. */
    private record Reduce(Kind kind) implements LabelMapper {
        @Override
        public double[] map(LabelWordScores scores) {
            double[][] all = scores.logProbs();
            double[] logS = new double[all.length];
            for (int c = 0; c < logS.length; c++) {
                double[] lp = all[c];
                logS[c] = switch (kind) {
                    case SUM -> logSumExp(lp);
                    case MEAN -> logSumExp(lp) - Math.log(lp.length);
                    case MAX -> max(lp);
                };
            }
            return softmax(logS);
        }

        @Override
        public String toString() {
            return "LabelMapper." + kind.name().toLowerCase(java.util.Locale.ROOT) + "()";
        }
    }

    /** Weighted sum of word probabilities, divided by a per-class divisor. */
    record Weighted(Map<String, Double> weights, Map<String, Double> divisors) implements LabelMapper {
        Weighted {
            if (weights == null || divisors == null) {
                throw new IllegalArgumentException("weights and divisors must not be null; pass Map.of() for none");
            }
            weights = Map.copyOf(weights);
            divisors = Map.copyOf(divisors);
            weights.forEach((w, a) -> {
                if (a == null || !(a >= 0) || Double.isInfinite(a)) {
                    throw new IllegalArgumentException("weight of label word '" + w + "' must be finite and >= 0, got "
                            + a);
                }
            });
            divisors.forEach((label, d) -> {
                if (d == null || !(d > 0) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("divisor of class '" + label + "' must be finite and > 0, got "
                            + d);
                }
            });
        }

        @Override
        public double[] map(LabelWordScores scores) {
            double[] logS = new double[scores.classCount()];
            for (int c = 0; c < logS.length; c++) {
                double[] terms = new double[scores.wordCount(c)];
                for (int w = 0; w < terms.length; w++) {
                    String word = scores.words().get(c).get(w);
                    Double a = weights.get(word);
                    if (a == null) {
                        throw new IllegalArgumentException("label word '" + word + "' of class '"
                                + scores.labels().get(c) + "' has no weight; weights cover " + weights.keySet());
                    }
                    terms[w] = a == 0 ? Double.NEGATIVE_INFINITY : Math.log(a) + scores.logProb(c, w);
                }
                logS[c] = logSumExp(terms) - Math.log(divisors.getOrDefault(scores.labels().get(c), 1.0));
            }
            return softmax(logS);
        }
    }

    /** Divides a base distribution by a class prior and renormalises. */
    record Calibrated(LabelMapper base, Map<String, Double> prior) implements LabelMapper {
        Calibrated {
            if (base == null) {
                throw new IllegalArgumentException("base mapper must not be null");
            }
            prior = Map.copyOf(prior);
            prior.forEach((label, p) -> {
                if (p == null || !(p > 0) || Double.isInfinite(p)) {
                    throw new IllegalArgumentException("prior of class '" + label + "' must be finite and > 0, got "
                            + p);
                }
            });
        }

        @Override
        public double[] map(LabelWordScores scores) {
            double[] q = base.map(scores);
            double[] logS = new double[q.length];
            for (int c = 0; c < q.length; c++) {
                Double p = prior.get(scores.labels().get(c));
                if (p == null) {
                    throw new IllegalArgumentException("class '" + scores.labels().get(c)
                            + "' has no prior; the prior covers " + prior.keySet());
                }
                logS[c] = Math.log(q[c]) - Math.log(p);
            }
            return softmax(logS);
        }
    }

    static double logSumExp(double[] x) {
        double m = max(x);
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - m);
        }
        return m + Math.log(s);
    }

    static double max(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Normalises log-scores into probabilities; all {@code -inf} gives the uniform distribution. */
    static double[] softmax(double[] logS) {
        double m = max(logS);
        double[] p = new double[logS.length];
        if (m == Double.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(p, 1.0 / p.length);
            return p;
        }
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logS[i] - m);
            s += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= s;
        }
        return p;
    }
}
