/**
 * The recipient directory of the add-in: the core's RecipientDirectory over IndexedDB. Certificates of trusted
 * signers are collected from messages the read pane verified (as mail clients do); the compose pane adds the ones
 * the user hands over, and looks recipients up when encrypting.
 */
import { IdbDirectoryStorage, RecipientDirectory } from '../src/index';

export const directory = new RecipientDirectory(new IdbDirectoryStorage());
