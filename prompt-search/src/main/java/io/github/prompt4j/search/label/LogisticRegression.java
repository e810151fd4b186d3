package io.github.prompt4j.search.label;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Multinomial logistic regression with an L2 penalty on the weights (not the biases), fitted full-batch by L-BFGS
 * (Nocedal and Wright, Numerical Optimization, algorithms 7.4 and 7.5) with a backtracking Armijo line search.
 *
 * <p>Objective: {@code (1/n) sum_i [logsumexp_c(w_c . x_i + b_c) - (w_{y_i} . x_i + b_{y_i})]
 * + (l2/2) sum_c |w_c - m_c|^2} with a centre {@code m} (0 unless given: a learned verbalizer pulls its weights
 * towards the label words' output embeddings), strictly convex for {@code l2 > 0}, so the stationary point found is
 * the global optimum whatever the start. A small, dependency-free
 * implementation: the problem (hidden size x classes parameters, a few thousand examples) fits in memory and
 * converges in tens to hundreds of iterations.
 */
final class LogisticRegression {

    private static final int HISTORY = 10;

    private LogisticRegression() {
    }

    /**
     * A fitted model.
     *
     * @param weights {@code [classes][dim]}
     * @param bias {@code [classes]}
     * @param iterations L-BFGS iterations used
     * @param objective the final objective value
     */
    record Fit(double[][] weights, double[] bias, int iterations, double objective) {

        /** Class with the largest score for {@code x} (ties to the smaller class). */
        int predict(double[] x) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < weights.length; c++) {
                double s = bias[c];
                for (int j = 0; j < x.length; j++) {
                    s += weights[c][j] * x[j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            return best;
        }
    }

    /**
     * Fits the model.
     *
     * @param x features {@code [n][dim]}
     * @param y class of each row, in {@code [0, classes)}
     * @param l2 penalty weight, {@code > 0}
     * @param maxIterations iteration cap
     * @param tolerance stop when the largest absolute gradient entry is below this
     */
    static Fit fit(double[][] x, int[] y, int classes, double l2, int maxIterations, double tolerance) {
        if (x.length == 0) {
            throw new IllegalArgumentException("need one class per feature row and at least one row");
        }
        return fit(x, y, classes, l2, new double[classes][x[0].length], new double[classes], maxIterations, tolerance);
    }

    /**
     * Fits the model with the penalty centred on {@code centre}, starting from weights {@code centre} and biases
     * {@code startBias}.
     *
     * @param centre {@code [classes][dim]}, the weights the penalty pulls towards (and the start)
     * @param startBias {@code [classes]}, the starting biases (not penalised)
     */
    static Fit fit(double[][] x, int[] y, int classes, double l2, double[][] centre, double[] startBias,
            int maxIterations, double tolerance) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need one class per feature row and at least one row");
        }
        if (!(l2 > 0)) {
            throw new IllegalArgumentException("l2 must be positive, got " + l2);
        }
        int dim = x[0].length;
        int size = classes * (dim + 1);
        double[] theta = new double[size];
        double[] flatCentre = new double[classes * dim];
        for (int c = 0; c < classes; c++) {
            if (centre[c].length != dim) {
                throw new IllegalArgumentException("centre row " + c + " has " + centre[c].length + " values, the "
                        + "features " + dim);
            }
            System.arraycopy(centre[c], 0, flatCentre, c * dim, dim);
            System.arraycopy(centre[c], 0, theta, c * dim, dim);
            theta[classes * dim + c] = startBias[c];
        }
        double[] g = new double[size];
        double f = objective(theta, x, y, classes, l2, flatCentre, g);
        Deque<double[][]> history = new ArrayDeque<>();
        int it = 0;
        for (; it < maxIterations && maxAbs(g) >= tolerance; it++) {
            double[] d = direction(g, history);
            double slope = dot(g, d);
            if (slope >= 0) {
                history.clear();
                d = negate(g);
                slope = dot(g, d);
            }
            double t = it == 0 ? 1.0 / Math.max(1.0, Math.sqrt(dot(g, g))) : 1.0;
            double[] next = new double[size];
            double[] gNext = new double[size];
            double fNext = Double.NaN;
            for (int halvings = 0; halvings < 60; halvings++) {
                for (int i = 0; i < size; i++) {
                    next[i] = theta[i] + t * d[i];
                }
                fNext = objective(next, x, y, classes, l2, flatCentre, gNext);
                if (fNext <= f + 1e-4 * t * slope) {
                    break;
                }
                t *= 0.5;
            }
            if (!(fNext <= f)) {
                break;
            }
            double[] s = new double[size];
            double[] yv = new double[size];
            for (int i = 0; i < size; i++) {
                s[i] = next[i] - theta[i];
                yv[i] = gNext[i] - g[i];
            }
            if (dot(s, yv) > 1e-12) {
                history.addLast(new double[][] {s, yv});
                if (history.size() > HISTORY) {
                    history.removeFirst();
                }
            }
            theta = next;
            g = gNext;
            f = fNext;
        }
        double[][] w = new double[classes][dim];
        double[] b = new double[classes];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(theta, c * dim, w[c], 0, dim);
            b[c] = theta[classes * dim + c];
        }
        return new Fit(w, b, it, f);
    }

    /** The objective at {@code theta}; writes its gradient into {@code grad}. Layout: weights class by class, then biases. */
    static double objective(double[] theta, double[][] x, int[] y, int classes, double l2, double[] grad) {
        return objective(theta, x, y, classes, l2, new double[classes * x[0].length], grad);
    }

    /**
     * The objective with the penalty centred on {@code centre} ({@code [classes * dim]}, class by class); writes its
     * gradient into {@code grad}.
     */
    static double objective(double[] theta, double[][] x, int[] y, int classes, double l2, double[] centre,
            double[] grad) {
        int n = x.length;
        int dim = x[0].length;
        java.util.Arrays.fill(grad, 0);
        double loss = 0;
        double[] z = new double[classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = theta[classes * dim + c];
                for (int j = 0; j < dim; j++) {
                    s += theta[c * dim + j] * x[i][j];
                }
                z[c] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[c] - max);
            }
            double lse = max + Math.log(sum);
            loss += lse - z[y[i]];
            for (int c = 0; c < classes; c++) {
                double r = (Math.exp(z[c] - lse) - (c == y[i] ? 1 : 0)) / n;
                for (int j = 0; j < dim; j++) {
                    grad[c * dim + j] += r * x[i][j];
                }
                grad[classes * dim + c] += r;
            }
        }
        loss /= n;
        double penalty = 0;
        for (int k = 0; k < classes * dim; k++) {
            double d = theta[k] - centre[k];
            penalty += d * d;
            grad[k] += l2 * d;
        }
        return loss + 0.5 * l2 * penalty;
    }

    /** The L-BFGS two-loop recursion: {@code -H g} from the stored (s, y) pairs, oldest first in the deque. */
    private static double[] direction(double[] g, Deque<double[][]> history) {
        double[] q = g.clone();
        int m = history.size();
        double[] alpha = new double[m];
        double[] rho = new double[m];
        double[][][] pairs = history.toArray(new double[0][][]);
        for (int i = m - 1; i >= 0; i--) {
            rho[i] = 1.0 / dot(pairs[i][1], pairs[i][0]);
            alpha[i] = rho[i] * dot(pairs[i][0], q);
            axpy(-alpha[i], pairs[i][1], q);
        }
        if (m > 0) {
            double[][] last = pairs[m - 1];
            double gamma = dot(last[0], last[1]) / dot(last[1], last[1]);
            for (int i = 0; i < q.length; i++) {
                q[i] *= gamma;
            }
        }
        for (int i = 0; i < m; i++) {
            double beta = rho[i] * dot(pairs[i][1], q);
            axpy(alpha[i] - beta, pairs[i][0], q);
        }
        return negate(q);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double[] negate(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
