using System.Numerics.Tensors;

namespace MLNet.Rewards.Kernels;

/// <summary>Seeded k-means++ seeding (Arthur and Vassilvitskii, 2007) and Lloyd refinement on the rows of a matrix.</summary>
internal static class KMeans
{
    /// <summary>
    /// Fills the rows of <paramref name="centers"/> by k-means++: the first center is a uniformly drawn point, each next one a
    /// point drawn with probability proportional to its squared distance to the nearest center chosen so far. When there
    /// are fewer distinct points than centers, the remaining centers repeat drawn points.
    /// </summary>
    public static void PlusPlus(FloatMatrix points, FloatMatrix centers, SeededRandom random)
    {
        CheckShapes(points, centers);
        int n = points.Rows;
        var nearest = new double[n];
        points.Row(random.Next(n)).CopyTo(centers.Row(0));
        for (int i = 0; i < n; i++)
        {
            nearest[i] = SquaredDistance(points.Row(i), centers.Row(0));
        }

        for (int c = 1; c < centers.Rows; c++)
        {
            double total = nearest.Sum();
            int pick;
            if (total <= 0)
            {
                pick = random.Next(n);
            }
            else
            {
                double target = random.NextDouble() * total;
                pick = n - 1;
                for (int i = 0; i < n; i++)
                {
                    target -= nearest[i];
                    if (target < 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }

            points.Row(pick).CopyTo(centers.Row(c));
            for (int i = 0; i < n; i++)
            {
                nearest[i] = Math.Min(nearest[i], SquaredDistance(points.Row(i), centers.Row(c)));
            }
        }
    }

    /// <summary>
    /// Runs up to <paramref name="iterations"/> Lloyd steps (assign each point to its nearest center, move each center to the
    /// mean of its points; a center with no points stays put), stopping early when no assignment changes.
    /// </summary>
    public static void Lloyd(FloatMatrix points, FloatMatrix centers, int iterations)
    {
        CheckShapes(points, centers);
        var assignment = new int[points.Rows];
        Array.Fill(assignment, -1);
        var sums = new FloatMatrix(centers.Rows, centers.Columns);
        var counts = new int[centers.Rows];
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            bool changed = false;
            for (int i = 0; i < points.Rows; i++)
            {
                int best = Nearest(points.Row(i), centers);
                changed |= best != assignment[i];
                assignment[i] = best;
            }

            if (!changed)
            {
                return;
            }

            Array.Clear(sums.Data);
            Array.Clear(counts);
            for (int i = 0; i < points.Rows; i++)
            {
                var sum = sums.Row(assignment[i]);
                TensorPrimitives.Add(sum, points.Row(i), sum);
                counts[assignment[i]]++;
            }

            for (int c = 0; c < centers.Rows; c++)
            {
                if (counts[c] > 0)
                {
                    TensorPrimitives.Divide(sums.Row(c), counts[c], centers.Row(c));
                }
            }
        }
    }

    /// <summary>Index of the center nearest to <paramref name="point"/> (the lowest index on ties).</summary>
    public static int Nearest(ReadOnlySpan<float> point, FloatMatrix centers)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < centers.Rows; c++)
        {
            double distance = SquaredDistance(point, centers.Row(c));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = c;
            }
        }

        return best;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float distance = TensorPrimitives.Distance(a, b);
        return (double)distance * distance;
    }

    private static void CheckShapes(FloatMatrix points, FloatMatrix centers)
    {
        if (points.Rows == 0)
        {
            throw new ArgumentException("k-means needs at least one point", nameof(points));
        }

        if (points.Columns != centers.Columns)
        {
            throw new ArgumentException($"points have {points.Columns} columns but centers have {centers.Columns}", nameof(centers));
        }
    }
}
