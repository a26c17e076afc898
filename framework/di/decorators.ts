import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { registry } from '../registry';
import { callSite } from '../registry';

/**
 * Marks a class as a service: a singleton built by the container and given to every constructor that
 * asks for its type.
 * @example
 * @Service()
 * export class FeedService { constructor(private readonly clock: Clock) {} }
 */
export function Service(): ClassDecorator {
  return (target) => {
    injectable()(target as any);
    registry.services.set(target, { target: target as any, source: callSite() });
  };
}

/** Injects the value registered for `token` instead of the parameter's declared type. */
export function Inject(token: string | symbol | Function): ParameterDecorator {
  return inject(token as any) as ParameterDecorator;
}
