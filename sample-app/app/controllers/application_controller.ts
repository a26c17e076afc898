import { ActionController } from 'stryke';

/** The base of this app's controllers: shared filters and helpers go here. */
export class ApplicationController extends ActionController {}
