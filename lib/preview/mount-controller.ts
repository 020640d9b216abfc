import { Controller, type Type } from '@nestjs/common';

/**
 * `controller` mounted at `path`: a subclass per registration, so two apps
 * (or two registrations) can use different paths.
 * @internal
 */
export function mountController<T>(path: string, controller: Type<T>): Type<T> {
  const mounted = class extends (controller as Type<object>) {};
  Object.defineProperty(mounted, 'name', {
    value: `Mounted${controller.name}`,
  });
  Controller(path)(mounted);
  return mounted as Type<T>;
}
