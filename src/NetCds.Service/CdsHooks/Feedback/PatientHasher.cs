using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>
/// The patient of a remembered card as HMAC-SHA256 of its id (hex): the same patient gives the same hash on every
/// instance sharing the store, and without the key the hash cannot be tested against guessed ids. The key is
/// <c>CdsHooks:PatientHashKey</c>, else a random one this install keeps in its store. Neither id nor hash is logged.
/// </summary>
public sealed class PatientHasher(IOptions<CardMemoryOptions> options, IServiceScopeFactory scopes) : IDisposable
{
    private const string SecretName = "card-memory-patient-hash";

    private readonly SemaphoreSlim _gate = new(1, 1);

    private byte[]? _key;

    public void Dispose() => _gate.Dispose();

    public async Task<string> HashAsync(string patientId, CancellationToken cancellationToken)
    {
        var key = _key ?? await KeyAsync(cancellationToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(patientId)));
    }

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_key is not null)
            {
                return _key;
            }

            if (options.Value.PatientHashKey is { } configured)
            {
                return _key = Encoding.UTF8.GetBytes(configured);
            }

            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var kept = await store.InstallSecrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == SecretName, cancellationToken);
            if (kept is null)
            {
                store.InstallSecrets.Add(new InstallSecret { Name = SecretName, Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
                try
                {
                    await store.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    // Another instance generated it first: use theirs, so every instance hashes alike.
                }

                await using var again = scopes.CreateAsyncScope();
                kept = await again.ServiceProvider.GetRequiredService<StoreContext>().InstallSecrets.AsNoTracking().FirstAsync(s => s.Name == SecretName, cancellationToken);
            }

            return _key = Convert.FromBase64String(kept.Value);
        }
        finally
        {
            _gate.Release();
        }
    }
}
