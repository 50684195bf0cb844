using MassTransit;

namespace NetCds.Service.Ops;

/// <summary>
/// A feature's consumers, registered as a singleton before the bus is added: the bus set-up adds every registration
/// it finds, so features plug consumers in without the messaging code knowing them.
/// </summary>
public sealed class BusConsumerRegistration(Action<IBusRegistrationConfigurator> register)
{
    public void Register(IBusRegistrationConfigurator bus) => register(bus);
}
