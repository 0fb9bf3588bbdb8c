import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Every error leaves as JSON `{statusCode, error, message, errors?}`; anything
 * unexpected is a logged 500 that reveals nothing.
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      res.status(exception.getStatus()).json(typeof body === 'string' ? { statusCode: exception.getStatus(), message: body } : body);
      return;
    }
    this.log.error({ err: exception }, 'Unhandled error');
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'Unexpected error' });
  }
}
