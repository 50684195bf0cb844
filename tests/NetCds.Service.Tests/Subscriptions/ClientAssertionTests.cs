using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NetCds.Service.Subscriptions;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Subscriptions;

/// <summary>The client assertion is signed by the key's type: RS384 for RSA, ES384 for EC P-384 (SMART Backend Services asks for one of the two).</summary>
public sealed class ClientAssertionTests
{
    private const string TokenUrl = "https://ehr.example.org/auth/token";

    [Fact]
    public async Task An_EC_P384_key_signs_ES384_and_the_assertion_validates_with_its_public_half()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = new SubscriptionSettings { Name = "ec", ClientId = "ec-client", KeyId = "ec-1", PrivateKeyPem = key.ExportPkcs8PrivateKeyPem() };

        var assertion = BackendServicesTokens.Assertion(settings, TokenUrl, TestClock.Now);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            IssuerSigningKey = new ECDsaSecurityKey(ECDsa.Create(key.ExportParameters(false))),
            ValidIssuer = "ec-client",
            ValidAudience = TokenUrl,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha384],
            RequireExpirationTime = true,
            LifetimeValidator = TestClock.LifetimeIsValid,
        });
        result.IsValid.Should().BeTrue(result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        token.Alg.Should().Be("ES384");
        token.Subject.Should().Be("ec-client");
        token.Kid.Should().Be("ec-1");
    }

    [Fact]
    public async Task A_key_that_is_not_the_clients_does_not_validate()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var settings = new SubscriptionSettings { Name = "rsa", ClientId = "rsa-client", PrivateKeyPem = key.ExportPkcs8PrivateKeyPem() };

        var assertion = BackendServicesTokens.Assertion(settings, TokenUrl, TestClock.Now);

        new JsonWebToken(assertion).Alg.Should().Be("RS384");
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(other.ExportParameters(false)),
            ValidIssuer = "rsa-client",
            ValidAudience = TokenUrl,
        });
        result.IsValid.Should().BeFalse("the signature is checked, so the test of the real key means something");
    }
}
