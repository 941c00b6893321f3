using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// The fork-join that <c>PredictBatch(…, degreeOfParallelism)</c> and <c>Fit</c> dispatch with: every part runs exactly
/// once however the calls follow each other, errors come back as themselves, and a part may dispatch again.
/// </summary>
public class ForkJoinTests
{
    [Fact]
    public void Every_part_of_every_call_runs_exactly_once()
    {
        // Back-to-back calls of changing size on one instance: helpers that linger from one call, or arrive late from
        // it, must neither run a part of the next call twice nor miss one.
        var forkJoin = new ForkJoin();
        var runs = new int[9];
        for (int call = 0; call < 3000; call++)
        {
            int count = 1 + call % 9;
            Array.Clear(runs);
            forkJoin.For(count, part =>
            {
                Interlocked.Increment(ref runs[part]);
                if (part % 3 == 1)
                {
                    Thread.SpinWait(200); // uneven parts, so claims interleave
                }
            });
            for (int part = 0; part < runs.Length; part++)
            {
                Assert.True(runs[part] == (part < count ? 1 : 0), $"call {call} ({count} parts): part {part} ran {runs[part]} times");
            }
        }
    }

    [Fact]
    public void A_part_that_throws_is_rethrown_as_itself_after_the_others_end_and_the_instance_runs_again()
    {
        var forkJoin = new ForkJoin();
        int finished = 0;
        var error = Assert.Throws<InvalidOperationException>(() => forkJoin.For(4, part =>
        {
            if (part == 2)
            {
                throw new InvalidOperationException("part 2 failed");
            }

            Thread.Sleep(5);
            Interlocked.Increment(ref finished);
        }));
        Assert.Equal("part 2 failed", error.Message);
        Assert.Equal(3, finished); // it returned only after the other parts had ended

        int sum = 0;
        forkJoin.For(3, part => Interlocked.Add(ref sum, part + 1));
        Assert.Equal(6, sum);
    }

    [Fact]
    public void A_part_may_dispatch_again_and_many_threads_may_dispatch_at_once()
    {
        long total = 0;
        Parallel.For(0, 4, caller =>
        {
            for (int call = 0; call < 200; call++)
            {
                ForkJoin.Run(3, outer => ForkJoin.Run(2, inner => Interlocked.Add(ref total, 1 + outer * 2 + inner)));
            }
        });
        // Each nested call adds 1 + 2 + … + 6 = 21.
        Assert.Equal(4L * 200 * 21, total);
    }

    [Fact]
    public void Zero_or_one_part_runs_inline_and_a_busy_instance_refuses_a_second_call()
    {
        var forkJoin = new ForkJoin();
        forkJoin.For(0, _ => throw new InvalidOperationException("no part should run"));
        int thread = -1;
        forkJoin.For(1, _ => thread = Environment.CurrentManagedThreadId);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);

        var error = Assert.Throws<InvalidOperationException>(() => forkJoin.For(2, _ => forkJoin.For(2, _ => { })));
        Assert.Contains("one at a time", error.Message);
    }
}
