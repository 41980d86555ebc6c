package ember.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * {@code ember simulate --seeds N [--seed S] [--steps K] [--plant BUG]}: run N seeded simulations
 * (seeds S, S+1, …; S random when not given) of K steps each and print one line per failure —
 * its seed, the shortest failing prefix found by shrinking, and the command that reproduces it —
 * then a summary line of {@code key=value} pairs: seeds, steps, faults injected by kind,
 * divergences, {@code seeds_per_hour} and the digest of all traces (same arguments, same digest).
 * {@code --verbose} adds a failing run's trace and whole message, {@code --first} stops at the first failure.
 * Exit code 0 when nothing diverged, 1 when something did, 2 for bad options.
 */
public final class SimCli
{
    private SimCli()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /** @return the exit code. */
    public static int run(final String[] args)
    {
        long seeds = 1;
        Long first = null;
        int steps = 1000;
        PlantedBug bug = PlantedBug.NONE;
        boolean verbose = false;
        boolean stopAtFirst = false;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--seeds" -> seeds = Long.parseLong(args[++i]);
                    case "--seed" -> first = Long.parseLong(args[++i]);
                    case "--steps" -> steps = Integer.parseInt(args[++i]);
                    case "--plant" -> bug = PlantedBug.valueOf(args[++i].toUpperCase().replace('-', '_'));
                    case "--verbose" -> verbose = true;
                    case "--first" -> stopAtFirst = true;
                    case "--help", "-h" ->
                    {
                        System.out.println("usage: ember simulate --seeds N [--seed S] [--steps K] [--plant BUG] [--verbose] [--first]");
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (seeds < 1 || steps < 1)
            {
                throw new IllegalArgumentException("--seeds and --steps must be positive");
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ember simulate: " + (ex.getMessage() == null ? ex : ex.getMessage()) +
                " (usage: ember simulate --seeds N [--seed S] [--steps K])");
            return 2;
        }
        final long start = first != null ? first : new java.util.SplittableRandom().nextLong(1L << 40);
        final Summary summary = runSeeds(start, seeds, steps, bug, System.out, verbose, stopAtFirst);
        final Long noDisk = summary.faults.get("disk_full_unavailable");
        if (noDisk != null)
        {
            System.err.println("ember simulate: no disk-full faults in " + noDisk + " seeds that wanted them: " +
                "cannot mount a tmpfs of their own (needs root)");
        }
        System.out.println(summary.line());
        return summary.divergences == 0 ? 0 : 1;
    }

    /** Totals over seeds. */
    static final class Summary
    {
        long seeds;
        long steps;
        long divergences;
        long firstFailingSeed = -1;
        long elapsedNs;
        final TreeMap<String, Long> faults = new TreeMap<>();
        final java.security.MessageDigest digest;

        Summary()
        {
            try
            {
                digest = java.security.MessageDigest.getInstance("SHA-256");
            }
            catch (final java.security.NoSuchAlgorithmException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        String line()
        {
            final StringBuilder b = new StringBuilder();
            b.append("seeds=").append(seeds).append(" steps=").append(steps).append(" divergences=").append(divergences);
            faults.forEach((k, v) -> b.append(" faults_").append(k).append('=').append(v));
            b.append(" seeds_per_hour=").append(elapsedNs == 0 ? 0 : (long)(seeds * 3_600e9 / elapsedNs));
            b.append(" trace_digest=").append(java.util.HexFormat.of().formatHex(digest.digest()).substring(0, 16));
            return b.toString();
        }
    }

    /** Run seeds {@code start..start+count-1}; print one line per failure (shrunk) to {@code out}. */
    static Summary runSeeds(final long start, final long count, final int steps, final PlantedBug bug,
        final java.io.PrintStream out)
    {
        return runSeeds(start, count, steps, bug, out, false, false);
    }

    /** As above; {@code verbose} also prints a failure's trace (each step's actions and answers) and whole message. */
    static Summary runSeeds(final long start, final long count, final int steps, final PlantedBug bug,
        final java.io.PrintStream out, final boolean verbose, final boolean stopAtFailure)
    {
        final Path root = scratch();
        final Summary summary = new Summary();
        final long t0 = System.nanoTime();
        for (long seed = start; seed < start + count; seed++)
        {
            final Simulation.Result result = new Simulation(seed, steps, bug, root).run();
            summary.seeds++;
            summary.steps += steps;
            result.faults().forEach((k, v) -> summary.faults.merge(k, (long)v, Long::sum));
            summary.digest.update(result.traceDigest().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (result.failure() != null)
            {
                summary.divergences++;
                if (summary.firstFailingSeed < 0)
                {
                    summary.firstFailingSeed = seed;
                }
                final int shortest = shrink(seed, steps, bug, root);
                final Simulation.Result small = new Simulation(seed, shortest, bug, root).traceTo(verbose ? out : null).run();
                out.println("FAIL seed=" + seed + " steps=" + shortest + " (of " + steps + "): " +
                    firstLine(small.failure() != null ? small.failure() : result.failure()) +
                    " | reproduce: bin/ember simulate --seeds 1 --seed " + seed + " --steps " + shortest +
                    (bug == PlantedBug.NONE ? "" : " --plant " + bug.name().toLowerCase()));
                if (verbose)
                {
                    out.println(small.failure() != null ? small.failure() : result.failure());
                }
                if (stopAtFailure)
                {
                    break;
                }
            }
        }
        summary.elapsedNs = System.nanoTime() - t0;
        Simulation.deleteTree(root);
        return summary;
    }

    /** @return the fewest steps of {@code seed} that still fail (a run of K steps is a prefix of a longer one). */
    static int shrink(final long seed, final int steps, final PlantedBug bug, final Path root)
    {
        int lo = 1;
        int hi = steps; // fails
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (new Simulation(seed, mid, bug, root).run().failure() != null)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return hi;
    }

    private static String firstLine(final String text)
    {
        final int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " …";
    }

    /** A private scratch directory on a tmpfs (/dev/shm) when there is one. */
    private static Path scratch()
    {
        try
        {
            final Path shm = Path.of("/dev/shm");
            final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(base, "ember-sim-");
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException("cannot create a scratch directory: " + ex.getMessage());
        }
    }
}
