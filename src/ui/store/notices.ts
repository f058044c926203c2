import type { SliceCreator } from './index';

/** Messages shown to the user: the dismissible error banner and in-place notes. */
export interface NoticeSlice {
  /** One-sentence error in the banner. */
  error?: string;
  /** Reason the model files the user picked could not be opened, shown beside the file input. */
  modelFileError?: string;
  /** Explanation of a click on the decision graph that could not be applied. */
  centerNotice?: string;
  /** Sentence naming URL query parameters that were ignored because their value is invalid. */
  urlNotice?: string;
  showError: (message: string) => void;
  dismissError: () => void;
  setModelFileError: (message?: string) => void;
  setCenterNotice: (message?: string) => void;
  setUrlNotice: (message?: string) => void;
}

export const createNoticeSlice: SliceCreator<NoticeSlice> = (set) => ({
  showError: (error) => set({ error }),
  dismissError: () => set({ error: undefined }),
  setModelFileError: (modelFileError) => set({ modelFileError }),
  setCenterNotice: (centerNotice) => set({ centerNotice }),
  setUrlNotice: (urlNotice) => set({ urlNotice }),
});
