using Microsoft.Extensions.Options;
using NetCds.Service.Records;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 19: patients' fact states held within a byte budget. When the patients under way outgrow it, the states that
/// fit stay held and only those that do not are rebuilt on each recompute; a least-recently-used eviction made every
/// recompute a full read.
/// </summary>
public sealed class PatientFactStatesTests
{
    private const long Budget = 3000;

    private static readonly string[] Patients = ["Patient/a", "Patient/b", "Patient/c", "Patient/d"];

    private static PatientFactStates States() => new(Options.Create(new IngestionOptions { FactStateCacheBytes = Budget }));

    /// <summary>A state of about <paramref name="bytes"/> (its estimate counts 120 bytes a live resource).</summary>
    private static PatientFactState State(int bytes = 960)
    {
        var state = new PatientFactState("v1");
        for (var i = 0; i < bytes / 120; i++)
        {
            state.Live.Add($"Observation/{i}");
        }

        return state;
    }

    [Fact]
    public void Patients_recomputed_in_turn_beyond_the_budget_keep_the_states_that_fit()
    {
        using var states = States();
        var held = Patients.ToDictionary(p => p, _ => State());
        foreach (var patient in Patients)
        {
            states.Keep(patient, held[patient]);
        }

        var missed = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            foreach (var patient in Patients)
            {
                var state = states.Get(patient, "v1");
                if (!ReferenceEquals(state, held[patient]))
                {
                    // Not held: rebuilt from the record (a full read in the service).
                    missed.Add(patient);
                    state = held[patient] = State();
                }

                states.Keep(patient, state);
                states.HeldBytes.Should().BeLessThanOrEqualTo(Budget);
            }
        }

        // Three states fit; the fourth is rebuilt each round instead of evicting the next patient's state each time.
        missed.Should().Equal(Enumerable.Repeat("Patient/d", 5), "only the state that did not fit is rebuilt");
        Patients[..3].Should().AllSatisfy(p => states.Holds(p).Should().BeTrue());
    }

    [Fact]
    public void A_state_no_longer_recomputed_makes_room_for_one_that_is()
    {
        using var states = States();
        foreach (var patient in Patients[..3])
        {
            states.Keep(patient, State());
        }

        var d = State();
        states.Keep("Patient/d", d);
        states.Holds("Patient/d").Should().BeFalse("every held state is part of the current round");

        // Only b, c and d are recomputed from now on: a is left behind and, once two rounds passed it by, gives way.
        for (var round = 0; round < 4; round++)
        {
            states.Keep("Patient/b", states.Get("Patient/b", "v1"));
            states.Keep("Patient/c", states.Get("Patient/c", "v1"));
            states.Keep("Patient/d", d);
        }

        states.Holds("Patient/a").Should().BeFalse();
        Patients[1..].Should().AllSatisfy(p => states.Holds(p).Should().BeTrue());
        states.HeldBytes.Should().Be(3 * 960);
    }

    [Fact]
    public void A_state_larger_than_the_budget_is_not_held_and_evicts_nothing()
    {
        using var states = States();
        states.Keep("Patient/a", State());
        states.Keep("Patient/huge", State(4000));
        states.Holds("Patient/huge").Should().BeFalse();
        states.Holds("Patient/a").Should().BeTrue();
    }
}
