using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Subscriptions;

/// <summary>What an EHR's token endpoint checks of a SMART Backend Services client assertion (RFC 7523; SMART Backend Services §Authenticating).</summary>
internal static class ClientAssertion
{
    public static async Task ValidateAsync(string assertion, RSA clientKey, string clientId, string tokenUrl, string keyId)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(clientKey.ExportParameters(false)),
            ValidIssuer = clientId,
            ValidAudience = tokenUrl,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha384],
            RequireExpirationTime = true,
            LifetimeValidator = TestClock.LifetimeIsValid,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.Zero,
        });
        result.IsValid.Should().BeTrue($"the assertion must pass an EHR's checks ({result.Exception?.Message})");
        var token = (JsonWebToken)result.SecurityToken;
        token.Subject.Should().Be(clientId, "sub = iss = the client id");
        token.Alg.Should().Be("RS384");
        token.Kid.Should().Be(keyId);
        token.Id.Should().NotBeNullOrEmpty("a jti lets the EHR refuse a replay");
        (token.ValidTo - token.IssuedAt).Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(5), "SMART asks for at most five minutes");
    }
}
